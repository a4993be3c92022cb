//! A plan's command as the string Ansible templates: `{host}` becomes the host Ansible runs the
//! task for, and anything Jinja would read as its own syntax is escaped so that it reaches the
//! shell as the catalog wrote it.

/// What `{host}` in a step's command stands for in a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostRef<'a> {
    /// The host Ansible runs the task for (also when the task is delegated: `runs_on`).
    Current,
    /// One host named in the playbook, for a task run once for a step of one host.
    Named(&'a str),
}

/// The Jinja expression `{host}` becomes for the current host.
pub(crate) const CURRENT_HOST: &str = "{{ inventory_hostname }}";

/// `command` with `{host}` replaced and every `{{`, `{%` and `{#` of its own text escaped.
pub(crate) fn template(command: &str, host: HostRef<'_>) -> String {
    let mut out = String::with_capacity(command.len() + 16);
    let mut rest = command;
    while let Some(at) = rest.find("{host}") {
        out.push_str(&literal(&rest[..at]));
        match host {
            HostRef::Current => out.push_str(CURRENT_HOST),
            HostRef::Named(name) => out.push_str(&literal(name)),
        }
        rest = &rest[at + "{host}".len()..];
    }
    out.push_str(&literal(rest));
    out
}

/// `text` as a Jinja template that renders to `text`: each `{` that would open a Jinja block,
/// expression or comment is written as an expression printing `{`.
pub(crate) fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && matches!(chars.peek(), Some('{' | '%' | '#')) {
            out.push_str("{{ '{' }}");
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{HostRef, literal, template};

    #[test]
    fn host_and_jinja_syntax() {
        assert_eq!(
            template("ln -s /a /b-{host}", HostRef::Current),
            "ln -s /a /b-{{ inventory_hostname }}"
        );
        assert_eq!(
            template("x {host} {host}", HostRef::Named("cmp1")),
            "x cmp1 cmp1"
        );
        assert_eq!(
            literal("echo ${#a} {{x}} {%"),
            "echo ${{ '{' }}#a} {{ '{' }}{x}} {{ '{' }}%"
        );
        assert_eq!(literal("{{{"), "{{ '{' }}{{ '{' }}{");
        assert_eq!(literal("awk '{print $1}'"), "awk '{print $1}'");
    }
}
