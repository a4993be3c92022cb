//! Breadth-first exploration of the abstract states a plan can reach, block by block.
//!
//! The plan's blocks (see [`crate::setup::blocks`]) run one after the other, so the reachable
//! states are those of each block explored from the states the block before ends in. Within a
//! block, an abstract state is the cloud's [`Global`] plus, per class of interchangeable hosts
//! (same state when the block starts, same steps in the block), how many of its hosts are in each
//! local state: a host state and the set of the class's steps the host has completed. Host
//! states, globals and local states are interned, so a state is a short sorted list of integers;
//! a move (one host completing one step) costs what the number of classes costs, never what the
//! number of hosts costs. Between blocks the cloud is concrete again (a state per named host), so
//! the classes of the next block are drawn afresh: a thousand computes that share the first
//! blocks and then go different ways in batches are one class until their ways part.

use std::collections::{BTreeSet, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use stackhop_model::{
    ApplyError, CapabilitySet, Class, Global, HostRef, HostState, RuleBook, View, apply_host,
    check_invariants, in_flight_host, unmet_goals,
};

use crate::describe::{global_diff, host_diff, one_host, some_hosts};
use crate::error::VerifyError;
use crate::fxhash::FxMap;
use crate::independence::Independence;
use crate::limits::{Budget, Limit, Stop};
use crate::por::{self, Frame};
use crate::report::{Search, ViolationReport};
use crate::setup::{HostClass, SATURATED_CAP, Setup};
use crate::visibility::observed_change;
use stackhop_catalog::collapse_hosts;

/// What an exploration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every reachable state, up to symmetry and, when `partial_order`, the sound partial-order
    /// reduction.
    Proof { partial_order: bool },
    /// Runs in which a host, once it moves, goes on until it cannot or is preempted, with at
    /// most this many preemptions (see `search`).
    Counterexample { preemptions: u32 },
}

impl Mode {
    /// How many words a state carries besides the global and its entries.
    fn tail(self) -> usize {
        match self {
            Mode::Proof { .. } => 0,
            Mode::Counterexample { .. } => 2,
        }
    }
}

/// No parent / no step: the initial state.
const NONE: u32 = u32::MAX;

/// What a state costs besides its entries: its table slot, parent, annotation and queue place.
const STATE_BYTES: usize = 96;
/// What an interned database state costs, about.
const GLOBAL_BYTES: usize = 64;

/// About how many bytes an interned host state takes.
fn host_bytes(h: &HostState) -> usize {
    std::mem::size_of::<HostState>()
        + 64
        + h.services.len() * std::mem::size_of::<stackhop_model::ServiceState>()
        + h.config
            .iter()
            .map(|(k, v)| 64 + k.file.len() + k.section.len() + k.key.len() + v.len())
            .sum::<usize>()
}

/// One local state of a class: a host state and the class steps done in it.
struct Local {
    class: u32,
    host: u32,
    /// Over the class's own step list.
    done: Box<[u64]>,
    /// Plan steps of the class not done yet.
    pending: Vec<u32>,
    /// The same, over all plan steps.
    pending_bits: Box<[u64]>,
}

/// What can be observed in a state besides hard violations.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Annotation {
    /// Bit `k`: capability `k` of the rule book is down.
    down: u64,
    /// Degraded (invariant, message) keys that hold, ascending.
    degraded: Vec<u32>,
}

/// One host completion under way: what it changed, for the report.
struct Move<'m> {
    step: u32,
    class: u32,
    before: &'m HostState,
    after: &'m HostState,
    global_before: &'m Global,
    global_after: &'m Global,
}

/// The state being expanded, with what its moves need.
struct State<'s, 'v> {
    x: u32,
    entries: &'s [(u32, u32)],
    hosts: &'s [Arc<HostState>],
    global: &'s Arc<Global>,
    view: &'s View<'v>,
}

pub(crate) struct Outcome {
    pub(crate) states: usize,
    pub(crate) transitions: usize,
    pub(crate) violations: Vec<ViolationReport>,
    /// (invariant, message, phase indices ascending; `None` is "before any step").
    pub(crate) degraded: Vec<(String, String, Vec<Option<usize>>)>,
    /// (capability, phase indices during which it is down; empty and `true` when always up).
    pub(crate) capabilities: Vec<(String, bool, Vec<Option<usize>>)>,
    pub(crate) final_states: usize,
    pub(crate) unmet: BTreeSet<String>,
    /// States first reached by a step of each phase (index), the initial state under `None`.
    pub(crate) states_by_phase: Vec<(Option<usize>, usize)>,
    /// Blocks explored one after the other (merged blocks count once).
    pub(crate) blocks: usize,
    /// The most host classes in one block.
    pub(crate) max_classes: usize,
    /// What stopped the exploration before it finished; `None` when every state was explored.
    pub(crate) stopped_by: Option<Limit>,
    /// The steps of the blocks explored from every state they can start in.
    pub(crate) explored_steps: Vec<usize>,
}

/// The cloud between two blocks: the global and every named host's state (interned ids).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Concrete {
    global: u32,
    hosts: Box<[u32]>,
}

/// What the exploration has accumulated, to undo a block explored in vain.
struct Snapshot {
    violations: usize,
    hits: FxMap<(u32, u32), ()>,
    states: usize,
    transitions: usize,
    final_states: usize,
    unmet: BTreeSet<String>,
    by_phase: Vec<usize>,
}

pub(crate) struct Engine<'a, 'p> {
    rules: &'a RuleBook,
    setup: &'a Setup<'p>,
    independence: &'a Independence,
    mode: Mode,
    budget: Budget<'a>,
    /// About how many bytes the current block's states take.
    bytes: usize,
    /// About how many bytes the host states and databases met so far take.
    interned_bytes: usize,
    exact_up_to: u32,
    words: usize,
    after_bits: Vec<Box<[u64]>>,

    // Per block.
    classes: Vec<HostClass>,
    /// Per state: breaks a hard invariant.
    broken: Vec<bool>,
    /// The steps that led to the block's entry state, repeats collapsed.
    prefix: Rc<Vec<u32>>,
    /// The block's states in which every step of the block is complete and nothing is broken.
    exits: Vec<u32>,
    last_block: bool,
    /// The block's entry state was reached (and counted) at the end of the block before.
    entry_counted: bool,
    total_states: usize,
    by_phase: Vec<usize>,
    blocks_run: usize,
    max_classes: usize,

    hosts: Vec<Arc<HostState>>,
    host_ix: FxMap<Arc<HostState>, u32>,
    globals: Vec<Arc<Global>>,
    global_ix: FxMap<Arc<Global>, u32>,
    locals: Vec<Local>,
    local_ix: FxMap<(u32, u32, Box<[u64]>), u32>,

    states: Vec<Rc<[u32]>>,
    state_ix: FxMap<Rc<[u32]>, u32>,
    /// Per state: the state it was first reached from and the step that reached it.
    parent: Vec<(u32, u32)>,
    annotation_of: Vec<u32>,
    annotations: Vec<Annotation>,
    annotation_ix: FxMap<Annotation, u32>,
    /// (annotation, phase) pairs seen on edges into states; phase `NONE` for the initial state.
    hits: FxMap<(u32, u32), ()>,
    degraded_keys: Vec<(String, String)>,
    degraded_ix: FxMap<(String, String), u32>,
    capability_names: Vec<&'static str>,

    queue: VecDeque<u32>,
    transitions: usize,
    violations: Vec<ViolationReport>,
    final_states: usize,
    unmet: BTreeSet<String>,
}

fn words_for(bits: usize) -> usize {
    bits.div_ceil(64).max(1)
}

fn set_bit(bits: &mut [u64], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

fn has_bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

/// Normalises what no rule reads, so it cannot split states: the instance-movement tallies are
/// for the simulator's accounting (`apply` only ever adds to them).
fn normalize(global: &mut Global) {
    global.moved_instances.clear();
    global.recreated = 0;
    global.drained = 0;
}

fn view<'v>(
    rules: &'v RuleBook,
    global: &'v Global,
    hosts: &'v [Arc<HostState>],
    counts: &[u32],
) -> View<'v> {
    View {
        rules,
        global,
        hosts: hosts
            .iter()
            .zip(counts)
            .enumerate()
            .map(|(tag, (state, &count))| HostRef { state, count, tag })
            .collect(),
    }
}

impl<'a, 'p> Engine<'a, 'p> {
    pub(crate) fn new(
        rules: &'a RuleBook,
        setup: &'a Setup<'p>,
        independence: &'a Independence,
        mode: Mode,
        budget: Budget<'a>,
        exact_up_to: u32,
    ) -> Self {
        let words = words_for(setup.steps.len());
        let after_bits = setup
            .steps
            .iter()
            .map(|s| {
                let mut bits = vec![0u64; words].into_boxed_slice();
                for &a in &s.after {
                    set_bit(&mut bits, a);
                }
                bits
            })
            .collect();
        Engine {
            rules,
            setup,
            independence,
            mode,
            budget,
            bytes: 0,
            interned_bytes: 0,
            exact_up_to,
            words,
            after_bits,
            classes: Vec::new(),
            broken: Vec::new(),
            prefix: Rc::new(Vec::new()),
            exits: Vec::new(),
            last_block: true,
            entry_counted: false,
            total_states: 0,
            by_phase: vec![0; setup.phases.len() + 1],
            blocks_run: 0,
            max_classes: 0,
            hosts: Vec::new(),
            host_ix: FxMap::default(),
            globals: Vec::new(),
            global_ix: FxMap::default(),
            locals: Vec::new(),
            local_ix: FxMap::default(),
            states: Vec::new(),
            state_ix: FxMap::default(),
            parent: Vec::new(),
            annotation_of: Vec::new(),
            annotations: Vec::new(),
            annotation_ix: FxMap::default(),
            hits: FxMap::default(),
            degraded_keys: Vec::new(),
            degraded_ix: FxMap::default(),
            capability_names: rules.capabilities.iter().map(|c| c.name).collect(),
            queue: VecDeque::new(),
            transitions: 0,
            violations: Vec::new(),
            final_states: 0,
            unmet: BTreeSet::new(),
        }
    }

    fn intern_host(&mut self, state: HostState) -> u32 {
        if let Some(&i) = self.host_ix.get(&state) {
            return i;
        }
        let i = u32::try_from(self.hosts.len()).unwrap_or(NONE);
        self.interned_bytes += host_bytes(&state);
        let arc = Arc::new(state);
        self.hosts.push(arc.clone());
        self.host_ix.insert(arc, i);
        i
    }

    fn intern_global(&mut self, global: Global) -> u32 {
        if let Some(&i) = self.global_ix.get(&global) {
            return i;
        }
        let i = u32::try_from(self.globals.len()).unwrap_or(NONE);
        self.interned_bytes += GLOBAL_BYTES * (1 + global.databases.len());
        let arc = Arc::new(global);
        self.globals.push(arc.clone());
        self.global_ix.insert(arc, i);
        i
    }

    fn intern_local(&mut self, class: u32, host: u32, done: Box<[u64]>) -> u32 {
        let key = (class, host, done);
        if let Some(&i) = self.local_ix.get(&key) {
            return i;
        }
        let (class, host, done) = key;
        let c = &self.classes[class as usize];
        let mut pending = Vec::new();
        let mut pending_bits = vec![0u64; self.words].into_boxed_slice();
        for (pos, &s) in c.steps.iter().enumerate() {
            if !has_bit(&done, pos) {
                pending.push(u32::try_from(s).unwrap_or(NONE));
                set_bit(&mut pending_bits, s);
            }
        }
        let i = u32::try_from(self.locals.len()).unwrap_or(NONE);
        self.local_ix.insert((class, host, done.clone()), i);
        self.locals.push(Local {
            class,
            host,
            done,
            pending,
            pending_bits,
        });
        i
    }

    fn intern_annotation(&mut self, a: Annotation) -> u32 {
        if let Some(&i) = self.annotation_ix.get(&a) {
            return i;
        }
        let i = u32::try_from(self.annotations.len()).unwrap_or(NONE);
        self.annotations.push(a.clone());
        self.annotation_ix.insert(a, i);
        i
    }

    fn degraded_key(&mut self, invariant: &str, message: &str) -> u32 {
        let key = (invariant.to_owned(), message.to_owned());
        if let Some(&i) = self.degraded_ix.get(&key) {
            return i;
        }
        let i = u32::try_from(self.degraded_keys.len()).unwrap_or(NONE);
        self.degraded_keys.push(key.clone());
        self.degraded_ix.insert(key, i);
        i
    }

    /// Entries `(local, count)` of a state.
    fn entries(&self, state: u32) -> (u32, Vec<(u32, u32)>) {
        let raw = &self.states[state as usize];
        let end = raw.len() - self.mode.tail();
        let entries = raw[1..end].chunks_exact(2).map(|p| (p[0], p[1])).collect();
        (raw[0], entries)
    }

    /// The counterexample search's part of a state: the local state of the host that moved
    /// last (`NONE` at the start of a block) and the preemptions used.
    fn turn(&self, state: u32) -> (u32, u32) {
        let raw = &self.states[state as usize];
        match self.mode {
            Mode::Proof { .. } => (NONE, 0),
            Mode::Counterexample { .. } => (raw[raw.len() - 2], raw[raw.len() - 1]),
        }
    }

    fn encode(&self, global: u32, entries: &[(u32, u32)], turn: (u32, u32)) -> Rc<[u32]> {
        let mut raw = Vec::with_capacity(1 + 2 * entries.len() + self.mode.tail());
        raw.push(global);
        for &(l, n) in entries {
            raw.push(l);
            raw.push(n);
        }
        if let Mode::Counterexample { .. } = self.mode {
            raw.push(turn.0);
            raw.push(turn.1);
        }
        raw.into()
    }

    /// The steps from the initial state to `state` (of the current block), then `extra`,
    /// repeats collapsed.
    fn trace_steps(&self, state: u32, extra: Option<u32>) -> Vec<u32> {
        let mut steps: Vec<u32> = extra.into_iter().collect();
        let mut at = state;
        while at != NONE {
            let (p, s) = self.parent[at as usize];
            if s != NONE {
                steps.push(s);
            }
            at = p;
        }
        steps.extend(self.prefix.iter().rev());
        steps.reverse();
        steps.dedup();
        steps
    }

    fn trace(&self, state: u32, extra: Option<u32>) -> Vec<String> {
        self.trace_steps(state, extra)
            .into_iter()
            .map(|s| self.setup.steps[s as usize].id.to_owned())
            .collect()
    }

    fn label(&self, class: u32) -> String {
        let names: Vec<&str> = self.classes[class as usize]
            .hosts
            .iter()
            .map(|&h| self.setup.names[h as usize].as_str())
            .collect();
        collapse_hosts(&names)
    }

    fn found_by(&self) -> Search {
        match self.mode {
            Mode::Proof { .. } => Search::Proof,
            Mode::Counterexample { .. } => Search::CounterexampleSearch,
        }
    }

    fn recorded(&self, invariant: &str) -> bool {
        self.violations.iter().any(|v| v.invariant == invariant)
    }

    /// Explores every block in turn; stops early, with what it found, at a limit.
    pub(crate) fn run(mut self) -> Result<Outcome, VerifyError> {
        let mut explored = Vec::new();
        let mut set_aside = Vec::new();
        let stopped_by = match self.run_all(&mut explored, &mut set_aside) {
            Ok(()) => None,
            Err(Stop::Limit(limit)) => Some(limit),
            Err(Stop::Error(e)) => return Err(e),
        };
        if stopped_by.is_some() {
            // Violations of a block that had to be explored again together with the next one
            // are real: keep those the second exploration did not reach again.
            for v in set_aside {
                if !self.recorded(&v.invariant) {
                    self.violations.push(v);
                }
            }
        }
        Ok(self.finish(stopped_by, explored))
    }

    fn run_all(
        &mut self,
        explored: &mut Vec<usize>,
        set_aside: &mut Vec<ViolationReport>,
    ) -> Result<(), Stop> {
        let setup = self.setup;
        let mut global = setup.initial.global.clone();
        normalize(&mut global);
        let g = self.intern_global(global);
        let hosts: Box<[u32]> = setup
            .initial
            .hosts()
            .into_iter()
            .map(|h| self.intern_host(h.clone()))
            .collect();
        let mut entries = vec![(Concrete { global: g, hosts }, Rc::new(Vec::<u32>::new()))];
        let blocks = &setup.blocks;
        let mut k = 0;
        let mut first = true;
        loop {
            let mut end = k;
            let next = loop {
                let steps: Vec<usize> = if blocks.is_empty() {
                    Vec::new()
                } else {
                    blocks[k..=end].concat()
                };
                let last = end + 1 >= blocks.len();
                let snapshot = self.snapshot();
                match self.run_blocks(&steps, &entries, last, first)? {
                    Some(next) => {
                        explored.extend(steps);
                        break next;
                    }
                    None => {
                        // Some class ends the block in several states: the next block's classes
                        // cannot be drawn from counts alone, so explore both blocks together.
                        set_aside.extend(self.restore(snapshot));
                        end += 1;
                    }
                }
            };
            self.blocks_run += 1;
            first = false;
            entries = next;
            k = end + 1;
            if k >= blocks.len() || entries.is_empty() {
                break;
            }
        }
        Ok(())
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            violations: self.violations.len(),
            hits: self.hits.clone(),
            states: self.total_states,
            transitions: self.transitions,
            final_states: self.final_states,
            unmet: self.unmet.clone(),
            by_phase: self.by_phase.clone(),
        }
    }

    /// Undoes what a block explored in vain added; returns the violations it had found.
    fn restore(&mut self, s: Snapshot) -> Vec<ViolationReport> {
        let found = self.violations.split_off(s.violations);
        self.hits = s.hits;
        self.total_states = s.states;
        self.transitions = s.transitions;
        self.final_states = s.final_states;
        self.unmet = s.unmet;
        self.by_phase = s.by_phase;
        found
    }

    /// Explores the steps of a block from each entry state; returns the states the block ends
    /// in (with the steps that reach them), or `None` when they cannot be made concrete.
    #[allow(clippy::type_complexity)]
    fn run_blocks(
        &mut self,
        steps: &[usize],
        entries: &[(Concrete, Rc<Vec<u32>>)],
        last: bool,
        first: bool,
    ) -> Result<Option<Vec<(Concrete, Rc<Vec<u32>>)>>, Stop> {
        let mut next = Vec::new();
        let mut seen: FxMap<Concrete, ()> = FxMap::default();
        for (entry, prefix) in entries {
            self.run_block(steps, entry, prefix.clone(), last, !first)?;
            if last {
                continue;
            }
            for x in std::mem::take(&mut self.exits) {
                let Some(c) = self.concretize(x) else {
                    return Ok(None);
                };
                if seen.insert(c.clone(), ()).is_none() {
                    next.push((c, Rc::new(self.trace_steps(x, None))));
                }
            }
        }
        Ok(Some(next))
    }

    /// Explores one block from one concrete state.
    fn run_block(
        &mut self,
        steps: &[usize],
        entry: &Concrete,
        prefix: Rc<Vec<u32>>,
        last: bool,
        entry_counted: bool,
    ) -> Result<(), Stop> {
        let setup = self.setup;
        let mut in_block = vec![false; setup.steps.len()];
        for &s in steps {
            in_block[s] = true;
        }
        // Classes: equal state at the block's start and equal steps in the block, in order of
        // their first host.
        let mut classes: Vec<HostClass> = Vec::new();
        let mut states: Vec<u32> = Vec::new();
        let mut class_of: FxMap<(u32, Vec<usize>), usize> = FxMap::default();
        for (h, &state) in entry.hosts.iter().enumerate() {
            let mine: Vec<usize> = setup.host_steps[h]
                .iter()
                .copied()
                .filter(|&s| in_block[s])
                .collect();
            let c = *class_of.entry((state, mine.clone())).or_insert_with(|| {
                classes.push(HostClass {
                    hosts: Vec::new(),
                    steps: mine,
                    cap: 0,
                    saturated: false,
                });
                states.push(state);
                classes.len() - 1
            });
            classes[c].hosts.push(u32::try_from(h).unwrap_or(NONE));
        }
        for class in &mut classes {
            let n = u32::try_from(class.hosts.len()).unwrap_or(NONE);
            class.saturated = n > self.exact_up_to.max(SATURATED_CAP);
            class.cap = if class.saturated { SATURATED_CAP } else { n };
        }
        self.max_classes = self.max_classes.max(classes.len());
        self.classes = classes;
        self.bytes = 0;
        self.broken.clear();
        self.locals.clear();
        self.local_ix.clear();
        self.states.clear();
        self.state_ix.clear();
        self.parent.clear();
        self.annotation_of.clear();
        self.queue.clear();
        self.exits.clear();
        self.prefix = prefix;
        self.last_block = last;
        self.entry_counted = entry_counted;

        let mut start = Vec::with_capacity(self.classes.len());
        for (c, &state) in states.iter().enumerate() {
            let words = words_for(self.classes[c].steps.len());
            let cap = self.classes[c].cap;
            let l = self.intern_local(
                u32::try_from(c).unwrap_or(NONE),
                state,
                vec![0u64; words].into_boxed_slice(),
            );
            start.push((l, cap));
        }
        start.sort_unstable();
        let raw = self.encode(entry.global, &start, (NONE, 0));
        self.discover(raw, NONE, None)?;
        while let Some(x) = self.queue.pop_front() {
            self.expand(x)?;
        }
        Ok(())
    }

    /// The cloud of a state in which every class has all its hosts in one local state.
    fn concretize(&self, state: u32) -> Option<Concrete> {
        let (g, entries) = self.entries(state);
        let mut hosts = vec![NONE; self.setup.names.len()];
        let mut seen = vec![false; self.classes.len()];
        for &(l, _) in &entries {
            let local = &self.locals[l as usize];
            let c = local.class as usize;
            if std::mem::replace(&mut seen[c], true) {
                return None;
            }
            for &h in &self.classes[c].hosts {
                hosts[h as usize] = local.host;
            }
        }
        Some(Concrete {
            global: g,
            hosts: hosts.into_boxed_slice(),
        })
    }

    /// Records a state reached from `parent` by `mv` (or the initial state), checks it and queues
    /// it unless it breaks a hard invariant.
    fn discover(
        &mut self,
        raw: Rc<[u32]>,
        parent: u32,
        mv: Option<&Move<'_>>,
    ) -> Result<u32, Stop> {
        let phase = mv.map_or(NONE, |m| {
            u32::try_from(self.setup.steps[m.step as usize].phase).unwrap_or(NONE)
        });
        if let Some(&y) = self.state_ix.get(&raw) {
            self.hits
                .insert((self.annotation_of[y as usize], phase), ());
            return Ok(y);
        }
        if let Some(limit) = self
            .budget
            .reached(self.total_states, self.bytes + self.interned_bytes)
        {
            return Err(Stop::Limit(limit));
        }
        self.bytes += STATE_BYTES + 4 * raw.len();
        let y = u32::try_from(self.states.len()).unwrap_or(NONE);
        self.states.push(raw.clone());
        self.state_ix.insert(raw, y);
        self.parent.push((parent, mv.map_or(NONE, |m| m.step)));
        // The entry state of a later block is the exit state of the block before: counted and
        // checked there already.
        let counted_before = mv.is_none() && self.entry_counted;
        if !counted_before {
            self.total_states += 1;
            let slot = if phase == NONE { 0 } else { phase as usize + 1 };
            self.by_phase[slot] += 1;
        }

        let (g, entries) = self.entries(y);
        let global = self.globals[g as usize].clone();
        let hosts: Vec<Arc<HostState>> = entries
            .iter()
            .map(|&(l, _)| self.hosts[self.locals[l as usize].host as usize].clone())
            .collect();
        let counts: Vec<u32> = entries.iter().map(|&(_, n)| n).collect();
        let v = view(self.rules, &global, &hosts, &counts);

        let mut hard = Vec::new();
        let mut degraded = Vec::new();
        for violation in check_invariants(&v) {
            match violation.class {
                Class::Hard => hard.push(violation),
                Class::Degraded => {
                    degraded.push(self.degraded_key(&violation.invariant, &violation.message));
                }
            }
        }
        degraded.sort_unstable();
        degraded.dedup();
        let caps = CapabilitySet::of(&v);
        let mut down = 0u64;
        for (k, name) in self.capability_names.iter().enumerate() {
            if !caps.is_up(name) && k < 64 {
                down |= 1 << k;
            }
        }
        let a = self.intern_annotation(Annotation { down, degraded });
        self.annotation_of.push(a);
        if !counted_before {
            self.hits.insert((a, phase), ());
        }

        let complete = entries
            .iter()
            .all(|&(l, _)| self.locals[l as usize].pending.is_empty());
        if complete && self.last_block {
            self.final_states += 1;
            self.unmet.extend(unmet_goals(&v));
        }
        if complete && hard.is_empty() {
            self.exits.push(y);
        }

        for violation in &hard {
            if self.recorded(&violation.invariant) {
                continue;
            }
            let mut names: Vec<String> = Vec::new();
            for &tag in &violation.tags {
                if let Some(&(l, n)) = entries.get(tag) {
                    let c = self.locals[l as usize].class;
                    let name = some_hosts(&self.classes[c as usize], &self.label(c), n);
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            let (step, differs) = match mv {
                Some(m) => (
                    self.setup.steps[m.step as usize].id.to_owned(),
                    self.differs(m),
                ),
                None => (
                    String::new(),
                    "the cloud is in this state before any step runs".to_owned(),
                ),
            };
            if names.is_empty()
                && let Some(m) = mv
            {
                names.push(one_host(
                    &self.classes[m.class as usize],
                    &self.label(m.class),
                ));
            }
            self.violations.push(ViolationReport {
                invariant: violation.invariant.clone(),
                class: Class::Hard,
                message: violation.message.clone(),
                trace: self.trace(y, None),
                found_by: self.found_by(),
                hosts: names.join("; "),
                step,
                differs,
                refused: false,
            });
        }
        self.broken.push(!hard.is_empty());
        if hard.is_empty() {
            self.queue.push_back(y);
        }
        Ok(y)
    }

    fn differs(&self, m: &Move<'_>) -> String {
        let class = &self.classes[m.class as usize];
        let mut changes = host_diff(self.rules, m.before, m.after);
        changes.extend(global_diff(self.rules, m.global_before, m.global_after));
        let what = if changes.is_empty() {
            "nothing changed on the host itself".to_owned()
        } else {
            changes.join("; ")
        };
        format!(
            "the state before was safe; `{}` completed on {}: {what}",
            self.setup.steps[m.step as usize].id,
            one_host(class, &self.label(m.class))
        )
    }

    fn expand(&mut self, x: u32) -> Result<(), Stop> {
        let (g, entries) = self.entries(x);
        let global = self.globals[g as usize].clone();
        let hosts: Vec<Arc<HostState>> = entries
            .iter()
            .map(|&(l, _)| self.hosts[self.locals[l as usize].host as usize].clone())
            .collect();
        let counts: Vec<u32> = entries.iter().map(|&(_, n)| n).collect();
        let v = view(self.rules, &global, &hosts, &counts);

        let mut incomplete = vec![0u64; self.words];
        for &(l, _) in &entries {
            for (w, bits) in incomplete
                .iter_mut()
                .zip(self.locals[l as usize].pending_bits.iter())
            {
                *w |= bits;
            }
        }
        let mut moves: Vec<(usize, u32)> = Vec::new();
        for (i, &(l, _)) in entries.iter().enumerate() {
            for &s in &self.locals[l as usize].pending {
                let after = &self.after_bits[s as usize];
                if after.iter().zip(&incomplete).all(|(a, b)| a & b == 0) {
                    moves.push((i, s));
                }
            }
        }
        let state = State {
            x,
            entries: &entries,
            hosts: &hosts,
            global: &global,
            view: &v,
        };
        if let Mode::Counterexample { preemptions } = self.mode {
            return self.expand_bounded(&state, &moves, preemptions);
        }
        let reduced = match self.mode {
            Mode::Proof {
                partial_order: true,
            } => self.reduce(&state, &incomplete, &moves),
            _ => None,
        };
        let Some(chosen) = reduced else {
            for (i, s) in moves {
                self.fire(&state, i, s, 0)?;
            }
            return Ok(());
        };
        let mut reached = Vec::new();
        for &m in &chosen {
            let (i, s) = moves[m];
            reached.extend(self.fire(&state, i, s, 0)?);
        }
        // A tripwire for the facts invisibility rests on (see `visibility`): the moves changed
        // nothing observed here. If they did, explore every move after all.
        let seen = |y: &u32| {
            self.annotation_of[*y as usize] != self.annotation_of[x as usize]
                || self.broken[*y as usize]
        };
        if reached.iter().any(seen) {
            for (m, &(i, s)) in moves.iter().enumerate() {
                if !chosen.contains(&m) {
                    self.fire(&state, i, s, 0)?;
                }
            }
        }
        Ok(())
    }

    /// The counterexample search's moves (see `search`): the host that moved last goes on while
    /// it can; then the host with the earliest step (in plan order) the plan allows takes over.
    /// Any other move is a deviation from that schedule: it costs one of at most `bound`
    /// preemptions.
    fn expand_bounded(
        &mut self,
        st: &State<'_, '_>,
        moves: &[(usize, u32)],
        bound: u32,
    ) -> Result<(), Stop> {
        let (last, used) = self.turn(st.x);
        let current = st.entries.iter().position(|&(l, _)| l == last);
        let runs = match current {
            Some(c) if moves.iter().any(|&(i, _)| i == c) => c,
            _ => moves.iter().min_by_key(|&&(_, s)| s).map_or(0, |&(i, _)| i),
        };
        for &(i, s) in moves {
            let preempts = i != runs;
            if preempts && used >= bound {
                continue;
            }
            self.fire(st, i, s, used + u32::from(preempts))?;
        }
        Ok(())
    }

    /// The moves to explore from a state, when partial-order reduction leaves some out (see
    /// `por`).
    fn reduce(
        &self,
        st: &State<'_, '_>,
        incomplete: &[u64],
        moves: &[(usize, u32)],
    ) -> Option<Vec<usize>> {
        let (rules, setup) = (self.rules, self.setup);
        let frame = Frame {
            pending: st
                .entries
                .iter()
                .map(|&(l, _)| &*self.locals[l as usize].pending_bits)
                .collect(),
            multi: st
                .entries
                .iter()
                .map(|&(l, n)| {
                    n > 1 || self.classes[self.locals[l as usize].class as usize].saturated
                })
                .collect(),
            incomplete,
            steps: &setup.steps,
            moves,
        };
        let mut invisible = |m: usize| {
            let (i, s) = moves[m];
            let action = setup.steps[s as usize].action;
            let host = &st.hosts[i];
            if !matches!(in_flight_host(rules, host, action), Ok(None)) {
                return false;
            }
            let mut global = (**st.global).clone();
            match apply_host(st.view, &mut global, host, action) {
                Ok(after) => !observed_change(rules, host, &after, st.global, &global),
                Err(_) => false,
            }
        };
        por::reduce(self.independence, &frame, &mut invisible)
    }

    /// While one host of entry `i` is in the middle of a step (a restart, with its services
    /// down), the capabilities that stop working count as down during the step's phase.
    fn note_in_flight(&mut self, st: &State<'_, '_>, i: usize, during: HostState, phase: usize) {
        let mut hosts: Vec<Arc<HostState>> = Vec::with_capacity(st.hosts.len() + 1);
        let mut counts: Vec<u32> = Vec::with_capacity(st.hosts.len() + 1);
        for (k, (host, &(_, n))) in st.hosts.iter().zip(st.entries).enumerate() {
            let n = if k == i { n.saturating_sub(1) } else { n };
            if n > 0 {
                hosts.push(host.clone());
                counts.push(n);
            }
        }
        hosts.push(Arc::new(during));
        counts.push(1);
        let v = view(self.rules, st.global, &hosts, &counts);
        let caps = CapabilitySet::of(&v);
        let mut down = 0u64;
        for (k, name) in self.capability_names.iter().enumerate() {
            if !caps.is_up(name) && k < 64 {
                down |= 1 << k;
            }
        }
        if down != 0 {
            let a = self.intern_annotation(Annotation {
                down,
                degraded: Vec::new(),
            });
            self.hits
                .insert((a, u32::try_from(phase).unwrap_or(NONE)), ());
        }
    }

    /// One host of entry `i` completes step `s`; returns the states reached (none if refused).
    /// `preemptions` is the counterexample search's count after this move.
    fn fire(
        &mut self,
        st: &State<'_, '_>,
        i: usize,
        s: u32,
        preemptions: u32,
    ) -> Result<Vec<u32>, Stop> {
        let (x, entries) = (st.x, st.entries);
        let (l, n) = entries[i];
        let (class_ix, done) = {
            let local = &self.locals[l as usize];
            (local.class, local.done.clone())
        };
        self.transitions += 1;
        let setup = self.setup;
        let step = &setup.steps[s as usize];
        if let Ok(Some(during)) = in_flight_host(self.rules, &st.hosts[i], step.action) {
            self.note_in_flight(st, i, during, step.phase);
        }
        let mut next_global = (**st.global).clone();
        let after_host = match apply_host(st.view, &mut next_global, &st.hosts[i], step.action) {
            Ok(h) => h,
            Err(ApplyError::Refused(violation)) => {
                if !self.recorded(&violation.invariant) {
                    let who = one_host(&self.classes[class_ix as usize], &self.label(class_ix));
                    self.violations.push(ViolationReport {
                        invariant: violation.invariant.clone(),
                        class: Class::Hard,
                        message: violation.message.clone(),
                        trace: self.trace(x, Some(s)),
                        found_by: self.found_by(),
                        hosts: who.clone(),
                        step: step.id.to_owned(),
                        differs: format!(
                            "`{}` would fail on {who} in the state the steps before it reach: {}",
                            step.id, violation.message
                        ),
                        refused: true,
                    });
                }
                return Ok(Vec::new());
            }
            Err(e) => {
                return Err(Stop::Error(VerifyError::Action {
                    step: step.id.to_owned(),
                    message: e.to_string(),
                }));
            }
        };
        normalize(&mut next_global);
        let class = &self.classes[class_ix as usize];
        let pos = class.position(s as usize).unwrap_or(0);
        let mut next_done = done;
        set_bit(&mut next_done, pos);
        let (saturated, cap) = (class.saturated, class.cap);
        let h2 = self.intern_host(after_host);
        let g2 = self.intern_global(next_global);
        let l2 = self.intern_local(class_ix, h2, next_done);

        let mut lefts = vec![n - 1];
        if saturated && n >= cap {
            // "Some" less one is "some" again, or none.
            lefts = vec![cap, cap - 1];
        }
        let before = st.hosts[i].clone();
        let after = self.hosts[h2 as usize].clone();
        let global_after = self.globals[g2 as usize].clone();
        let mut reached = Vec::with_capacity(lefts.len());
        for left in lefts {
            let mut next: Vec<(u32, u32)> = Vec::with_capacity(entries.len() + 1);
            for (j, &(lj, nj)) in entries.iter().enumerate() {
                if j == i {
                    if left > 0 {
                        next.push((lj, left));
                    }
                } else {
                    next.push((lj, nj));
                }
            }
            match next.iter_mut().find(|(lj, _)| *lj == l2) {
                Some((_, nj)) => {
                    *nj = if saturated {
                        (*nj + 1).min(cap)
                    } else {
                        *nj + 1
                    };
                }
                None => next.push((l2, 1)),
            }
            next.sort_unstable();
            let raw = self.encode(g2, &next, (l2, preemptions));
            let mv = Move {
                step: s,
                class: class_ix,
                before: &before,
                after: &after,
                global_before: st.global,
                global_after: &global_after,
            };
            reached.push(self.discover(raw, x, Some(&mv))?);
        }
        Ok(reached)
    }

    fn finish(self, stopped_by: Option<Limit>, explored_steps: Vec<usize>) -> Outcome {
        let phases_of = |pred: &dyn Fn(&Annotation) -> bool| -> Vec<Option<usize>> {
            let mut phases: Vec<Option<usize>> = self
                .hits
                .keys()
                .filter(|(a, _)| pred(&self.annotations[*a as usize]))
                .map(|&(_, p)| (p != NONE).then_some(p as usize))
                .collect();
            phases.sort_unstable();
            phases.dedup();
            phases
        };
        let capabilities = self
            .capability_names
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let bit = if k < 64 { 1u64 << k } else { 0 };
                let phases = phases_of(&|a: &Annotation| a.down & bit != 0);
                ((*name).to_owned(), phases.is_empty(), phases)
            })
            .collect();
        let degraded = self
            .degraded_keys
            .iter()
            .enumerate()
            .map(|(d, (invariant, message))| {
                let d = u32::try_from(d).unwrap_or(NONE);
                let phases = phases_of(&|a: &Annotation| a.degraded.binary_search(&d).is_ok());
                (invariant.clone(), message.clone(), phases)
            })
            .filter(|(_, _, phases)| !phases.is_empty())
            .collect();
        let states_by_phase = self
            .by_phase
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, &n)| (i.checked_sub(1), n))
            .collect();
        Outcome {
            states_by_phase,
            blocks: self.blocks_run,
            max_classes: self.max_classes,
            states: self.total_states,
            transitions: self.transitions,
            violations: self.violations,
            degraded,
            capabilities,
            final_states: self.final_states,
            unmet: self.unmet,
            stopped_by,
            explored_steps,
        }
    }
}
