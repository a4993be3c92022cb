//! Ansible's YAML inventory format, read as Ansible's `yaml` inventory plugin reads it: the
//! top level maps group names to groups; a group has `hosts` (host pattern → its variables),
//! `children` (group name → group) and `vars`.

use stackhop_inventory::Sink;
use stackhop_inventory::yaml::{self, Node, Value};

use super::model::{Model, Var};

const GROUP_KEYS: &[&str] = &["hosts", "children", "vars"];

pub(super) fn read(sink: &mut Sink<'_>, source: &str) -> Model {
    let mut model = Model::default();
    let Some(root) = yaml::load(source, sink) else {
        model.uncertain = true;
        return model;
    };
    match &root.value {
        Value::Mapping(entries) => {
            for entry in entries {
                let group = model.group(&entry.key.text, entry.key.mark);
                read_group(sink, &mut model, group, &entry.value);
            }
        }
        Value::Invalid => model.uncertain = true,
        _ => {
            model.uncertain = true;
            sink.error(
                root.mark,
                format!(
                    "an Ansible inventory in YAML maps group names to groups, found {}",
                    root.describe()
                ),
                Some("start with `all:` and list the groups under `children:`".to_owned()),
            );
        }
    }
    model
}

fn read_group(sink: &mut Sink<'_>, model: &mut Model, group: usize, node: &Node) {
    let entries = match &node.value {
        Value::Mapping(entries) => entries,
        Value::Invalid => return,
        _ if node.is_null() => return,
        _ => {
            let name = &model.groups[group].name;
            sink.error(
                node.mark,
                format!(
                    "group `{name}` must be a mapping of hosts, children and vars, found {}",
                    node.describe()
                ),
                Some("write `hosts:`, `children:` or `vars:` under the group".to_owned()),
            );
            return;
        }
    };
    for entry in entries {
        match entry.key.text.as_str() {
            "hosts" => {
                let Some(hosts) = mapping(sink, model, group, "hosts", &entry.value) else {
                    continue;
                };
                for host in hosts {
                    let vars = variables(sink, model, group, &host.value);
                    model.add_hosts(sink, group, &host.key.text, host.key.mark, &vars);
                }
            }
            "children" => {
                let Some(children) = mapping(sink, model, group, "children", &entry.value) else {
                    continue;
                };
                for child in children {
                    let index = model.group(&child.key.text, child.key.mark);
                    model.add_child(group, index, child.key.mark);
                    read_group(sink, model, index, &child.value);
                }
            }
            "vars" => {
                let vars = variables(sink, model, group, &entry.value);
                model.groups[group].vars.extend(vars);
            }
            other => {
                let name = &model.groups[group].name;
                sink.warning(
                    entry.key.mark,
                    format!("unexpected key `{other}` in group `{name}` is ignored"),
                    Some(format!(
                        "a group has only {}; is `{other}` a group that belongs under \
                         `children:`?",
                        GROUP_KEYS.join(", ")
                    )),
                );
            }
        }
    }
}

/// The entries of a group's `hosts` or `children`; `None` (reported) when not a mapping.
fn mapping<'n>(
    sink: &mut Sink<'_>,
    model: &mut Model,
    group: usize,
    what: &str,
    node: &'n Node,
) -> Option<&'n [yaml::Entry]> {
    match &node.value {
        Value::Mapping(entries) => Some(entries),
        Value::Invalid => None,
        _ if node.is_null() => None,
        _ => {
            model.uncertain = true;
            let name = &model.groups[group].name;
            sink.error(
                node.mark,
                format!(
                    "`{what}` of group `{name}` must be a mapping, found {}",
                    node.describe()
                ),
                Some(format!(
                    "write each one as a key ending with `:`, e.g. `{what}:\\n  NAME:`; a list \
                     (`- NAME`) is not what Ansible reads"
                )),
            );
            None
        }
    }
}

/// The scalar variables of a host or of a group's `vars`; other values are not needed.
fn variables(sink: &mut Sink<'_>, model: &Model, group: usize, node: &Node) -> Vec<Var> {
    match &node.value {
        Value::Mapping(entries) => entries
            .iter()
            .filter_map(|e| match &e.value.value {
                Value::Scalar(s) => Some(Var {
                    key: e.key.text.clone(),
                    value: s.text.clone(),
                    mark: e.value.mark,
                }),
                _ => None,
            })
            .collect(),
        Value::Invalid => Vec::new(),
        _ if node.is_null() => Vec::new(),
        _ => {
            let name = &model.groups[group].name;
            sink.error(
                node.mark,
                format!(
                    "variables in group `{name}` must be a mapping, found {}",
                    node.describe()
                ),
                Some("write them as `key: value` lines".to_owned()),
            );
            Vec::new()
        }
    }
}
