//! The catalogue of mistakes a learner makes when working out grads by hand, each with a
//! stable id and a one-line name. The diagnosis ([`crate::HandCheck::diagnosis`])
//! computes what each mistake would give on the learner's graph and names the ones that
//! match, as Brown and Burton's BUGGY did for subtraction.
//!
//! The evidence for the catalogue: the `=` instead of `+=` on a value used twice is the
//! lecture's own bug (micrograd #2, #72), exp′ taken from the input one of its variants
//! (nn-zero-to-hero #52); calculus-education studies report composition taken as a
//! product, a nested chain rule applied once and paths multiplied instead of added. No
//! published study covers backprop on graphs; the rest are the slips a careful reader of
//! the notebook is likely to make.

use std::fmt;

/// One catalogued mistake.
///
/// ```
/// use chainrule::Mistake;
/// assert_eq!(Mistake::OnePath.id(), "one-path");
/// assert_eq!(Mistake::from_id("sign"), Some(Mistake::Sign));
/// assert_eq!(Mistake::ALL.len(), 12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mistake {
    /// Dropped the upstream grad: only the local derivative.
    LocalOnly,
    /// Forgot the local derivative: only the upstream grad.
    UpstreamOnly,
    /// Used the wrong operand of a product: ∂(a·b)/∂a taken as a.
    WrongFactor,
    /// Lost a sign: subtraction, division, the minus in 1 − t².
    Sign,
    /// A value used more than once got only one path's contribution (`=` for `+=`).
    OnePath,
    /// Multiplied the paths of a value used more than once instead of adding them.
    PathsMultiplied,
    /// A local derivative written with the op's input where its output belongs: tanh′ as
    /// 1 − x² instead of 1 − t², exp′ as x instead of eˣ.
    InputNotOutput,
    /// The −a/b² part of a division dropped.
    Quotient,
    /// The power rule's exponent not lowered, or lowered twice.
    Power,
    /// Added along a chain instead of multiplying.
    ChainAdded,
    /// The output's own grad not 1 (backward seeds it with 1).
    Seed,
    /// dx/dL given instead of dL/dx.
    Inverted,
}

impl Mistake {
    /// Every mistake, in the catalogue's order.
    pub const ALL: [Mistake; 12] = [
        Mistake::LocalOnly,
        Mistake::UpstreamOnly,
        Mistake::WrongFactor,
        Mistake::Sign,
        Mistake::OnePath,
        Mistake::PathsMultiplied,
        Mistake::InputNotOutput,
        Mistake::Quotient,
        Mistake::Power,
        Mistake::ChainAdded,
        Mistake::Seed,
        Mistake::Inverted,
    ];

    /// The stable id, for JSON and for lesson files: `local-only`, `one-path`, ...
    pub fn id(self) -> &'static str {
        match self {
            Mistake::LocalOnly => "local-only",
            Mistake::UpstreamOnly => "upstream-only",
            Mistake::WrongFactor => "wrong-factor",
            Mistake::Sign => "sign",
            Mistake::OnePath => "one-path",
            Mistake::PathsMultiplied => "paths-multiplied",
            Mistake::InputNotOutput => "input-not-output",
            Mistake::Quotient => "quotient",
            Mistake::Power => "power",
            Mistake::ChainAdded => "chain-added",
            Mistake::Seed => "seed",
            Mistake::Inverted => "inverted",
        }
    }

    /// The one-line name a learner reads.
    ///
    /// ```
    /// assert_eq!(
    ///     chainrule::Mistake::LocalOnly.name(),
    ///     "dropped the upstream grad, leaving only the local derivative"
    /// );
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Mistake::LocalOnly => "dropped the upstream grad, leaving only the local derivative",
            Mistake::UpstreamOnly => "forgot the local derivative, leaving only the upstream grad",
            Mistake::WrongFactor => "used the wrong operand of a product (d(a*b)/da taken as a)",
            Mistake::Sign => "lost a sign (of a subtraction, a division, the minus in 1 - t²)",
            Mistake::OnePath => {
                "a value used more than once got only one path's contribution (`=` instead of `+=`)"
            }
            Mistake::PathsMultiplied => "multiplied the paths instead of adding them",
            Mistake::InputNotOutput => {
                "a local derivative from the op's input instead of its output (tanh' as 1 - x², exp' as x)"
            }
            Mistake::Quotient => "the -a/b² part of a division dropped",
            Mistake::Power => "the power rule's exponent not lowered, or lowered twice",
            Mistake::ChainAdded => "added along the chain instead of multiplying",
            Mistake::Seed => "the output's own grad is not 1",
            Mistake::Inverted => "dx/dL given instead of dL/dx",
        }
    }

    /// The mistake with this id.
    pub fn from_id(id: &str) -> Option<Mistake> {
        Mistake::ALL.into_iter().find(|m| m.id() == id)
    }
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.id(), self.name())
    }
}

/// A mistaken local derivative: what a learner who makes `mistake` takes one operand's
/// local derivative to be ([`crate::Op::slips`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slip {
    /// The mistake.
    pub mistake: Mistake,
    /// The local derivative as the mistake has it.
    pub local: f64,
    /// What the mistake did, in words: `1 + tanh², the minus lost`.
    pub note: &'static str,
}
