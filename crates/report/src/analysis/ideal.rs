//! What the mock's arithmetic predicts: the time no client can beat.

/// The nominal ideal for a fixed delay `l` seconds: ⌈N/C⌉ · l.
pub fn nominal_ideal(titles: usize, c: usize, l: f64) -> f64 {
    l * titles.div_ceil(c.max(1)) as f64
}

/// When each title finishes in a perfect in-order queue: C workers, each
/// taking the next title the moment it is free. In input order, seconds.
pub fn queue_completions(durations: &[f64], c: usize) -> Vec<f64> {
    let mut free_at = vec![0.0_f64; c.max(1)];
    durations
        .iter()
        .map(|d| match free_at.iter_mut().min_by(|a, b| a.total_cmp(b)) {
            Some(earliest) => {
                *earliest += *d;
                *earliest
            }
            None => *d,
        })
        .collect()
}

/// No schedule of `durations` over C workers can finish sooner than the
/// larger of their sum over C and the longest one: the true lower bound
/// (an in-order queue is one schedule, and can be beaten).
pub fn lower_bound(durations: &[f64], c: usize) -> f64 {
    let sum: f64 = durations.iter().sum();
    let longest = durations.iter().copied().fold(0.0, f64::max);
    (sum / c.max(1) as f64).max(longest)
}

/// The time C workers need for `durations` if each takes the next title as
/// soon as it is free (a perfect queue): the ideal for uneven delays.
pub fn queue_ideal(durations: &[f64], c: usize) -> f64 {
    queue_completions(durations, c)
        .into_iter()
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn ideals() {
        let ms = |m: u32| f64::from(m) / 1e3;
        assert!(close(nominal_ideal(100, 10, ms(20)), ms(200)));
        assert!(close(nominal_ideal(101, 10, ms(20)), ms(220)));
        assert!(close(queue_ideal(&[ms(10); 4], 2), ms(20)));
        assert!(close(
            queue_ideal(&[ms(50), ms(10), ms(10), ms(10)], 2),
            ms(50)
        ));
        assert!(close(queue_ideal(&[], 3), 0.0));
        // The last title (30 ms) starts when the first worker frees up, at
        // 10 ms, and finishes last, at 40 ms: the queue's time.
        let d = [ms(10), ms(10), ms(10), ms(30)];
        let done = queue_completions(&d, 2);
        for (got, want) in done.iter().zip([ms(10), ms(10), ms(20), ms(40)]) {
            assert!(close(*got, want), "{done:?}");
        }
        assert!(close(queue_ideal(&d, 2), ms(40)));
        assert!(queue_completions(&[], 2).is_empty());
        assert!(close(
            lower_bound(&[ms(50), ms(10), ms(10), ms(10)], 2),
            ms(50)
        ));
        assert!(close(lower_bound(&[ms(30), ms(30), ms(30)], 2), ms(45)));
        // The queue can be beaten; the bound cannot.
        let d = [ms(10), ms(10), ms(30)];
        assert!(queue_ideal(&d, 2) > lower_bound(&d, 2));
    }
}
