//! Markdown (CommonMark and GitHub-flavoured) text that reads as written and makes no markup.
