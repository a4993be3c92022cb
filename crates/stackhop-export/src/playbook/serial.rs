//! Batches as Ansible's `serial:` list.

/// The shortest `serial:` list that gives these batch sizes: Ansible takes the list's sizes in
/// turn, repeats the last one, and lets the last batch be smaller.
pub(crate) fn serial_for(sizes: &[usize]) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    (1..=sizes.len())
        .map(|k| &sizes[..k])
        .find(|prefix| batches_of(prefix, total) == sizes)
        .unwrap_or(sizes)
        .to_vec()
}

/// The batch sizes Ansible makes of `total` hosts with `serial: list`.
pub(crate) fn batches_of(list: &[usize], total: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut left = total;
    let mut k = 0;
    while left > 0 {
        let size = list[k.min(list.len() - 1)].max(1).min(left);
        out.push(size);
        left -= size;
        k += 1;
    }
    out
}

pub(super) fn describe_serial(serial: &[usize]) -> String {
    match serial {
        [one] => format!("{one} at a time"),
        [first @ .., last] => {
            let head: Vec<String> = first.iter().map(ToString::to_string).collect();
            format!("{} first, then {last} at a time", head.join(", then "))
        }
        [] => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{batches_of, serial_for};

    #[test]
    fn serial_reproduces_the_batches() {
        assert_eq!(serial_for(&[1, 1, 1]), [1]);
        assert_eq!(serial_for(&[2, 100, 100, 98]), [2, 100]);
        assert_eq!(serial_for(&[1, 5, 5, 5, 1]), [1, 5]);
        assert_eq!(serial_for(&[3, 2, 4]), [3, 2, 4]);
        for sizes in [vec![1, 5, 5, 5, 1], vec![3, 2, 4], vec![7], vec![2, 2, 3]] {
            let total = sizes.iter().sum();
            assert_eq!(batches_of(&serial_for(&sizes), total), sizes);
        }
    }
}
