//! What each host is, from the groups it belongs to: its roles (and the group that gave
//! each), and its variables as Ansible's precedence resolves them (the host's own, then its
//! nearest group's, then `all`'s).

use std::collections::{BTreeMap, VecDeque};

use stackhop_inventory::{Role, Sink};

use super::groups::{Meaning, meaning};
use super::model::{ALL, Model, Var};

/// A role and the group that gave it.
pub(super) type Roles = BTreeMap<Role, usize>;

/// Every group's roles, its own and its ancestors'; reports groups that contain themselves
/// (whose roles are then left incomplete: the import fails anyway).
pub(super) fn group_roles(sink: &mut Sink<'_>, model: &Model) -> Vec<Roles> {
    let count = model.groups.len();
    let mut parents_left: Vec<usize> = model.groups.iter().map(|g| g.parents.len()).collect();
    let mut roles: Vec<Roles> = model
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| match meaning(&g.name) {
            Meaning::Roles(own) => own.iter().map(|r| (*r, i)).collect(),
            _ => Roles::new(),
        })
        .collect();
    // Parents before children (Kahn), so a child inherits from finished parents.
    let mut ready: VecDeque<usize> = (0..count).filter(|&g| parents_left[g] == 0).collect();
    let mut done = vec![false; count];
    while let Some(g) = ready.pop_front() {
        done[g] = true;
        for &(child, _) in &model.groups[g].children {
            let inherited: Vec<(Role, usize)> = roles[g].iter().map(|(r, s)| (*r, *s)).collect();
            for (role, source) in inherited {
                roles[child].entry(role).or_insert(source);
            }
            parents_left[child] -= 1;
            if parents_left[child] == 0 {
                ready.push_back(child);
            }
        }
    }
    report_cycle(sink, model, &done);
    roles
}

/// Groups Kahn's order never reached lie on or under a cycle: report one cycle. A stuck
/// group always has a stuck parent, so following stuck parents must come back round.
fn report_cycle(sink: &mut Sink<'_>, model: &Model, done: &[bool]) {
    let Some(start) = (0..model.groups.len()).find(|&g| !done[g]) else {
        return;
    };
    let mut position = vec![usize::MAX; model.groups.len()];
    let mut walked: Vec<usize> = Vec::new();
    let mut g = start;
    while position[g] == usize::MAX {
        position[g] = walked.len();
        walked.push(g);
        let Some(&parent) = model.groups[g].parents.iter().find(|&&p| !done[p]) else {
            return;
        };
        g = parent;
    }
    // walked[position[g]..] is g, its parent, its grandparent…, whose top has g as child.
    let cycle = &walked[position[g]..];
    let mut names: Vec<&str> = cycle
        .iter()
        .map(|&c| model.groups[c].name.as_str())
        .collect();
    names.reverse();
    names.rotate_right(1);
    names.push(&model.groups[g].name);
    let parent = cycle.get(1).copied().unwrap_or(g);
    let mark = model.groups[parent]
        .children
        .iter()
        .find(|(child, _)| *child == g)
        .map_or(model.groups[g].mark, |(_, mark)| *mark);
    sink.error(
        mark,
        format!("groups contain themselves: {}", names.join(" > ")),
        Some("a group cannot be its own descendant; remove one of these children".to_owned()),
    );
}

/// A host's roles: the union over the groups that list it of their roles.
pub(super) fn host_roles(model: &Model, host: usize, group_roles: &[Roles]) -> Roles {
    let mut roles = Roles::new();
    for &g in &model.hosts[host].groups {
        for (role, source) in &group_roles[g] {
            roles.entry(*role).or_insert(*source);
        }
    }
    roles
}

/// The host's value for the first of `keys` set, with Ansible's precedence.
pub(super) fn variable<'m>(model: &'m Model, host: usize, keys: &[&str]) -> Option<&'m Var> {
    let find = |vars: &'m [Var]| vars.iter().rev().find(|v| keys.contains(&v.key.as_str()));
    if let Some(var) = find(&model.hosts[host].vars) {
        return Some(var);
    }
    // Nearest groups first: the host's own, then their parents, breadth first.
    let mut queue: VecDeque<usize> = model.hosts[host].groups.iter().copied().collect();
    let mut seen = vec![false; model.groups.len()];
    while let Some(g) = queue.pop_front() {
        if std::mem::replace(&mut seen[g], true) {
            continue;
        }
        if let Some(var) = find(&model.groups[g].vars) {
            return Some(var);
        }
        queue.extend(model.groups[g].parents.iter().copied());
    }
    model
        .find_group(ALL)
        .and_then(|all| find(&model.groups[all].vars))
}
