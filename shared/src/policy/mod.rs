//! IAM identity-policy evaluation, pure and wasm-friendly: which actions on which
//! resources a set of policies (and a permissions boundary) allow, given what is known of
//! the request at switch time.
//!
//! - [`document`]: parsing and validating documents ([`Policy::parse`], [`PolicyError`]).
//! - [`evaluate`]: the decision ([`evaluate()`], [`Evaluator`] for many resources).
//! - [`Context`]: condition-key values: known (single-valued or a list), known absent, or
//!   unknown.
//! - `condition`: operators; `variables`: `${…}`; `glob`: `*`/`?`; `date`, `ip`: values.
//!
//! "Now" is never read from a clock: `aws:CurrentTime` / `aws:EpochTime` come from the
//! context like any other key.

mod condition;
mod context;
mod date;
pub mod document;
pub mod evaluate;
mod glob;
mod ip;
mod variables;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use context::{is_multivalued_key, Context, KeyState, MULTIVALUED_KEYS};
pub use document::{Effect, Policy, PolicyError, Statement, Version};
pub use evaluate::{evaluate, Decision, Evaluation, Evaluator, PolicyKind, Reason};

/// Whether `text` matches the IAM wildcard `pattern` (`*`, `?`), byte for byte.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    glob::Glob::new(pattern).matches(text)
}
