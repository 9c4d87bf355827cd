//! Unit tests per step kind: see the end of the module.
use super::*;
