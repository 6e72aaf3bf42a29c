//! Escaping text for the SVG and HTML the library writes.

/// Escapes `text` for XML and HTML text and double- or single-quoted attributes.
/// Control characters other than newline and tab (not allowed in XML 1.0) become spaces.
pub(crate) fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    escape_into(&mut s, text);
    s
}

/// [`escape`], appended to `s` (no string of its own: the drawing escapes every text).
pub(crate) fn escape_into(s: &mut String, text: &str) {
    if !text
        .bytes()
        // Markup, C0 controls and DEL, and 0xC2, which leads the C1 controls (U+0080-9F).
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | 0x7f | 0xc2) || b < 0x20)
    {
        s.push_str(text);
        return;
    }
    escape_chars(s, text);
}

/// [`escape_into`] a character at a time.
fn escape_chars(s: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            '\n' | '\t' => s.push(c),
            c if c.is_control() => s.push(' '),
            c => s.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_blanks_control_characters() {
        assert_eq!(
            escape("<b a=\"1\">'&'</b>"),
            "&lt;b a=&quot;1&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("a\u{7}b\nc\td"), "a b\nc\td");
    }

    #[test]
    fn the_quick_path_escapes_as_each_character_does() {
        // Strings drawn from ASCII, the C1 controls and their neighbours, and wider
        // characters: the whole-string check never lets through what a character needs.
        let alphabet: Vec<char> = (0u32..0x100)
            .chain([0x2212, 0x3b8, 0x1f600])
            .filter_map(char::from_u32)
            .collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 6) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let (mut quick, mut each) = (String::new(), String::new());
            super::escape_into(&mut quick, &text);
            super::escape_chars(&mut each, &text);
            assert_eq!(quick, each, "{text:?}");
        }
    }
}
