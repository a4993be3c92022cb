use crate::builder::Builder;
use stackhop_model::RuleBook;
pub(crate) fn plan(_b: &mut Builder<'_>, _r: &RuleBook) {}
