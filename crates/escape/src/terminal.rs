//! Text for a terminal: control characters shown escaped, never sent raw.
