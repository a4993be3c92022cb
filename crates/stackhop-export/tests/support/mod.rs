//! Readers of the export's files for the tests: a YAML tree, and a model of Ansible.

pub(crate) mod ansible;
pub(crate) mod yaml_tree;
