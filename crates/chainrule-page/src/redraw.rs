//! A drawing redrawn with other numbers, said as the texts that changed: when a nudge's
//! replay is drawn the same shape as the drawing the page shows (every box as wide, so
//! every element in the same place), the page can change those texts in place instead of
//! laying out a whole new drawing, which for a few hundred values is most of a nudge's
//! time in the browser.

use serde_json::{json, Value};

/// The text elements of drawing `after` that read otherwise in `before`, as `[k, text]`
/// (the `k`-th `<text>` element of the drawing, counted from 0 in document order; `text`
/// as it reads, unescaped), when the two drawings are the same markup but for the
/// contents of their text elements; None when they are not.
///
/// ```
/// use chainrule_page::text_changes;
/// let before = r#"<svg><text x="1">data 2.0000</text><text x="9">grad 1.0000</text></svg>"#;
/// let after = r#"<svg><text x="1">data 2.5000</text><text x="9">grad 1.0000</text></svg>"#;
/// assert_eq!(text_changes(before, after), Some(vec![serde_json::json!([0, "data 2.5000"])]));
/// let wider = r#"<svg><text x="2">data 12.5000</text><text x="9">grad 1.0000</text></svg>"#;
/// assert_eq!(text_changes(before, wider), None);
/// ```
pub fn text_changes(before: &str, after: &str) -> Option<Vec<Value>> {
    let (a, b) = (before.split("</text>"), after.split("</text>"));
    if a.clone().count() != b.clone().count() {
        return None;
    }
    let mut changes = Vec::new();
    for (k, (x, y)) in a.zip(b).enumerate() {
        let (x_markup, x_text) = x.split_at(x.rfind('>').map_or(0, |i| i + 1));
        let (y_markup, y_text) = y.split_at(y.rfind('>').map_or(0, |i| i + 1));
        if x_markup != y_markup {
            return None;
        }
        if x_text != y_text {
            changes.push(json!([k, unescape(y_text)]));
        }
    }
    Some(changes)
}

/// Text escaped by the library's drawings (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`), as
/// it reads.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_reads_as_written() {
        let before = "<svg><text>a</text></svg>";
        let after = "<svg><text>&lt;b&gt; &amp;&amp; &quot;c&#39;</text></svg>";
        assert_eq!(
            text_changes(before, after),
            Some(vec![json!([0, "<b> && \"c'"])])
        );
    }

    #[test]
    fn another_number_of_texts_is_another_shape() {
        assert_eq!(
            text_changes("<text>a</text>", "<text>a</text><text>b</text>"),
            None
        );
    }
}
