//! Small text helpers shared by every layer's error messages.

/// Collapses whitespace runs (including newlines) to single spaces, so that a message from a
/// parser or validator fits on one error line.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
