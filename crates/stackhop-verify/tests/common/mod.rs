//! Hand-built plans and inventories shared by the tests.
#![allow(dead_code, unreachable_pub)]

use stackhop_catalog::{Scenario, Transition};
use stackhop_inventory::{Inventory, Role, examples};
use stackhop_model::Action;
use stackhop_plan::{PLAN_SCHEMA, Plan, Step};

pub const NOVA_CONF: &str = "/etc/nova/nova.conf";
pub const NEUTRON_CONF: &str = "/etc/neutron/neutron.conf";
pub const GLANCE_API_CONF: &str = "/etc/glance/glance-api.conf";
pub const DASHBOARD: &str = "/etc/openstack-dashboard/local_settings";

pub mod rdo_documents;

pub fn parse(source: &str, file: &str) -> Inventory {
    match stackhop_inventory::parse(source, file, &stackhop_catalog::vocabulary()) {
        Ok(i) => i,
        Err(e) => panic!("{file} does not parse:\n{e}"),
    }
}

pub fn example(name: &str) -> (Inventory, &'static str) {
    let source = examples::source(name).unwrap_or_default();
    (parse(source, &examples::file_name(name)), source)
}

pub fn transition(inventory: &Inventory) -> &'static dyn Transition {
    match stackhop_catalog::find(&inventory.release, &inventory.profile) {
        Some(t) => t,
        None => panic!("no transition for {}", inventory.release),
    }
}

/// A plan under construction: steps in order, each after the previous one unless told.
pub struct PlanBuilder<'i> {
    pub inventory: &'i Inventory,
    pub steps: Vec<Step>,
}

impl<'i> PlanBuilder<'i> {
    pub fn new(inventory: &'i Inventory) -> Self {
        PlanBuilder {
            inventory,
            steps: Vec::new(),
        }
    }

    /// A step after the given steps.
    pub fn step_after(
        &mut self,
        id: &str,
        phase: &str,
        action: Action,
        hosts: &[String],
        after: &[&str],
    ) -> &mut Self {
        self.steps.push(Step {
            id: id.to_owned(),
            phase: phase.to_owned(),
            action,
            hosts: hosts.to_vec(),
            after: after.iter().map(|s| (*s).to_owned()).collect(),
            commands: Vec::new(),
            runs_on: None,
            estimate_s: 0,
            reason: String::new(),
            manual: false,
        });
        self
    }

    /// A step after the last one.
    pub fn then(&mut self, id: &str, phase: &str, action: Action, hosts: &[String]) -> &mut Self {
        let last = self.steps.last().map(|s| s.id.clone());
        let after: Vec<&str> = last.iter().map(String::as_str).collect();
        self.step_after(id, phase, action, hosts, &after)
    }

    pub fn build(&self) -> Plan {
        let t = transition(self.inventory);
        let mut plan = Plan {
            schema: PLAN_SCHEMA.to_owned(),
            scenario: Scenario::AllAtOnce,
            transition: t.id().to_owned(),
            catalog_version: t.version().to_owned(),
            cloud: self.inventory.name.clone(),
            digest: String::new(),
            estimate_s: 0,
            steps: self.steps.clone(),
            inventory_file: String::new(),
            inventory_source: String::new(),
        };
        stackhop_plan::render_commands(&mut plan, t, self.inventory);
        plan.seal();
        plan
    }
}

pub fn names(
    inventory: &Inventory,
    pred: impl Fn(&stackhop_inventory::Host) -> bool,
) -> Vec<String> {
    inventory
        .hosts
        .iter()
        .filter(|h| pred(h))
        .map(|h| h.name.clone())
        .collect()
}

pub fn non_spare(inventory: &Inventory) -> Vec<String> {
    names(inventory, |h| {
        !(h.roles.len() == 1 && h.has_role(Role::Spare))
    })
}

pub fn controllers(inventory: &Inventory) -> Vec<String> {
    names(inventory, |h| h.has_role(Role::Controller))
}

pub fn computes(inventory: &Inventory) -> Vec<String> {
    names(inventory, |h| {
        h.has_role(Role::Compute) && !h.has_role(Role::Controller)
    })
}

/// Hosts that run a service today.
pub fn having(inventory: &Inventory, service: &str) -> Vec<String> {
    let t = transition(inventory);
    names(inventory, |h| {
        t.host_services(inventory, h).contains(&service)
    })
}

/// Hosts that run any service whose name starts with a prefix.
pub fn having_any(inventory: &Inventory, prefix: &str) -> Vec<String> {
    let t = transition(inventory);
    names(inventory, |h| {
        t.host_services(inventory, h)
            .iter()
            .any(|s| s.starts_with(prefix))
    })
}

pub fn set(file: &str, section: &str, key: &str, value: &str) -> Action {
    Action::SetConfig {
        file: file.to_owned(),
        section: section.to_owned(),
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

pub fn stop(service: &str) -> Action {
    Action::StopService {
        service: service.into(),
        permanent: false,
    }
}

pub fn start(service: &str) -> Action {
    Action::StartService {
        service: service.into(),
    }
}

pub fn upgrade(project: Option<&str>) -> Action {
    Action::UpgradePackages {
        packages: "*".to_owned(),
        project: project.map(str::to_owned),
    }
}

pub fn sync(project: &str) -> Action {
    Action::SyncDatabase {
        project: project.to_owned(),
    }
}

/// An all-at-once upgrade of a qpid + Neutron cloud written by hand: config first (harmless to
/// Havana), stop everything, upgrade everything, migrate every database, start everything.
/// Every step waits for the one before, except the per-host parts of a step.
pub fn all_at_once_by_hand(inventory: &Inventory) -> Plan {
    let ctl = controllers(inventory);
    let db_host = vec![ctl[0].clone()];
    let all = non_spare(inventory);
    let mut b = PlanBuilder::new(inventory);
    b.then(
        "prepare.backup",
        "prepare",
        Action::BackupDatabase { project: None },
        &db_host,
    );
    b.then(
        "prepare.repo",
        "prepare",
        Action::InstallRepo {
            release: "icehouse".to_owned(),
        },
        &all,
    );
    b.then(
        "config.nova.rpc_backend",
        "config",
        set(
            NOVA_CONF,
            "DEFAULT",
            "rpc_backend",
            "nova.openstack.common.rpc.impl_qpid",
        ),
        &having_any(inventory, "openstack-nova"),
    );
    b.then(
        "config.neutron.rpc_backend",
        "config",
        set(
            NEUTRON_CONF,
            "DEFAULT",
            "rpc_backend",
            "neutron.openstack.common.rpc.impl_qpid",
        ),
        &having_any(inventory, "neutron"),
    );
    b.then(
        "config.glance.rpc_backend",
        "config",
        set(GLANCE_API_CONF, "DEFAULT", "rpc_backend", "qpid"),
        &having(inventory, "openstack-glance-api"),
    );
    let httpd = having(inventory, "httpd");
    b.then(
        "config.horizon.allowed_hosts",
        "config",
        set(DASHBOARD, "", "ALLOWED_HOSTS", "['*']"),
        &httpd,
    );
    b.then(
        "config.horizon.member_role",
        "config",
        set(
            DASHBOARD,
            "",
            "OPENSTACK_KEYSTONE_DEFAULT_ROLE",
            "\"_member_\"",
        ),
        &httpd,
    );
    let server = having(inventory, "neutron-server");
    for (key, value) in [
        ("nova_url", "http://ctl:8774/v2"),
        ("nova_admin_username", "nova"),
        ("nova_admin_password", "secret"),
        ("nova_admin_tenant_id", "service"),
        ("nova_admin_auth_url", "http://ctl:35357/v2.0"),
        ("notify_nova_on_port_status_changes", "True"),
        ("notify_nova_on_port_data_changes", "True"),
    ] {
        b.then(
            &format!("config.events.{key}"),
            "config",
            set(NEUTRON_CONF, "DEFAULT", key, value),
            &server,
        );
    }
    b.then("stop.all", "stop", stop("all"), &all);
    b.then("upgrade.all", "upgrade", upgrade(None), &all);
    for project in ["keystone", "cinder", "glance", "neutron", "nova"] {
        if project == "glance" {
            b.then(
                "glance.convert_utf8",
                "databases",
                Action::ConvertUtf8 {
                    project: "glance".to_owned(),
                },
                &db_host,
            );
        }
        b.then(
            &format!("{project}.sync"),
            "databases",
            sync(project),
            &db_host,
        );
    }
    b.then("start.all", "start", start("all"), &all);
    b.then(
        "start.restart.httpd",
        "start",
        Action::RestartService {
            service: "httpd".into(),
        },
        &httpd,
    );
    b.then(
        "finish.check.boot",
        "finish",
        Action::HealthCheck {
            capability: "boot".to_owned(),
        },
        &db_host,
    );
    b.build()
}

/// Removes a step; the steps that waited for it wait for what it waited for.
pub fn without(plan: &Plan, id: &str) -> Plan {
    let mut plan = plan.clone();
    let Some(pos) = plan.steps.iter().position(|s| s.id == id) else {
        panic!("no step {id}");
    };
    let removed = plan.steps.remove(pos);
    for s in &mut plan.steps {
        if let Some(i) = s.after.iter().position(|a| a == id) {
            s.after.remove(i);
            for a in &removed.after {
                if !s.after.contains(a) {
                    s.after.push(a.clone());
                }
            }
        }
    }
    plan
}

/// Moves a step so that it runs right after `anchor` (and before what followed `anchor`).
pub fn move_after(plan: &Plan, id: &str, anchor: &str) -> Plan {
    let step = plan
        .steps
        .iter()
        .find(|s| s.id == id)
        .cloned()
        .unwrap_or_else(|| panic!("no step {id}"));
    let mut plan = without(plan, id);
    for s in &mut plan.steps {
        if let Some(i) = s.after.iter().position(|a| a == anchor) {
            s.after[i] = id.to_owned();
        }
    }
    let pos = plan
        .steps
        .iter()
        .position(|s| s.id == anchor)
        .unwrap_or_else(|| panic!("no step {anchor}"));
    plan.steps.insert(
        pos + 1,
        Step {
            after: vec![anchor.to_owned()],
            ..step
        },
    );
    plan
}

/// Inserts a new step right after `anchor`.
pub fn insert_after(plan: &Plan, anchor: &str, id: &str, action: Action, hosts: &[String]) -> Plan {
    let mut plan = plan.clone();
    let template = plan.steps[0].clone();
    for s in &mut plan.steps {
        if let Some(i) = s.after.iter().position(|a| a == anchor) {
            s.after[i] = id.to_owned();
        }
    }
    let pos = plan
        .steps
        .iter()
        .position(|s| s.id == anchor)
        .unwrap_or_else(|| panic!("no step {anchor}"));
    plan.steps.insert(
        pos + 1,
        Step {
            id: id.to_owned(),
            phase: "edit".to_owned(),
            action,
            hosts: hosts.to_vec(),
            after: vec![anchor.to_owned()],
            ..template
        },
    );
    plan
}

/// The `small` example with `n` computes instead of three.
pub fn small_with_computes(n: usize) -> Inventory {
    let (_, source) = example("small");
    let text = source.replace("cmp[1:3]", &format!("cmp[1:{n}]"));
    parse(&text, &format!("small-{n}"))
}

/// The id of the first step that matches.
pub fn find(plan: &Plan, what: &str, pred: impl Fn(&Step) -> bool) -> String {
    plan.steps
        .iter()
        .find(|s| pred(s))
        .map(|s| s.id.clone())
        .unwrap_or_else(|| panic!("no step for {what}"))
}

/// Removes every step that matches.
pub fn without_all(plan: &Plan, pred: impl Fn(&Step) -> bool) -> Plan {
    let ids: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| pred(s))
        .map(|s| s.id.clone())
        .collect();
    assert!(!ids.is_empty(), "nothing to remove");
    ids.iter().fold(plan.clone(), |p, id| without(&p, id))
}

pub fn sets_key(step: &Step, wanted: &str) -> bool {
    matches!(&step.action, Action::SetConfig { key, .. } if key == wanted)
}

pub fn unsets_key(step: &Step, wanted: &str) -> bool {
    matches!(&step.action, Action::DeleteConfig { key, .. } if key == wanted)
}

/// Moves the chain of steps from `first` to `last` (each waiting for the one before) so that it
/// runs right after `anchor`; what waited for `last` waits for what `first` waited for.
pub fn move_chain(plan: &Plan, first: &str, last: &str, anchor: &str) -> Plan {
    let mut plan = plan.clone();
    let first_after = plan
        .steps
        .iter()
        .find(|s| s.id == first)
        .map(|s| s.after.clone())
        .unwrap_or_default();
    for s in &mut plan.steps {
        if let Some(i) = s.after.iter().position(|a| a == last) {
            s.after.remove(i);
            for a in &first_after {
                if !s.after.contains(a) {
                    s.after.push(a.clone());
                }
            }
        }
    }
    for s in &mut plan.steps {
        if s.id != first
            && let Some(i) = s.after.iter().position(|a| a == anchor)
        {
            s.after[i] = last.to_owned();
        }
    }
    for s in &mut plan.steps {
        if s.id == first {
            s.after = vec![anchor.to_owned()];
        }
    }
    plan
}
