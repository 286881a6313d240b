//! The capture table: how many persons were seen on each combination of lists.

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::MseError;

/// Most lists supported (1,023 observable cells, 45 two-way interactions).
pub const MAX_LISTS: usize = 10;

/// Counts of persons by capture pattern.
///
/// A pattern is a bit set: bit `i` is set when the person is on list `i` (the
/// `i`-th column of the CSV file). Pattern 0 (on no list) is never observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureTable {
    lists: Vec<String>,
    /// `counts[pattern]` for pattern in `0..2^k`; `counts[0]` is always 0.
    counts: Vec<u64>,
}

impl CaptureTable {
    /// Builds a table from list names and `(pattern, count)` pairs; patterns not
    /// given have count zero. Pattern bits as described on [`CaptureTable`].
    pub fn from_patterns(
        lists: Vec<String>,
        patterns: &[(u32, u64)],
    ) -> Result<CaptureTable, MseError> {
        check_list_names(&lists)?;
        let k = lists.len();
        let mut counts = vec![0u64; 1usize << k];
        let mut seen = vec![false; 1usize << k];
        for (i, &(pattern, count)) in patterns.iter().enumerate() {
            let line = i + 2;
            if pattern == 0 {
                return Err(MseError::AllZeroPattern { line });
            }
            if (pattern as usize) >= counts.len() {
                return Err(MseError::InvalidOption(format!(
                    "pattern {pattern:#b} names a list beyond the {k} given"
                )));
            }
            if seen[pattern as usize] {
                let first = patterns
                    .iter()
                    .position(|&(p, _)| p == pattern)
                    .unwrap_or(0)
                    + 2;
                return Err(MseError::DuplicatePattern {
                    line,
                    first_line: first,
                    pattern: pattern_string(pattern, k),
                });
            }
            seen[pattern as usize] = true;
            counts[pattern as usize] = count;
        }
        let table = CaptureTable { lists, counts };
        if table.observed() == 0 {
            return Err(MseError::NoData);
        }
        Ok(table)
    }

    /// Reads the CSV format of `shared/data/mse`: a header with one column per list
    /// and a final column `count`; one row per capture pattern with 0/1 values and
    /// the number of persons with that pattern. Absent patterns count zero; the
    /// all-zero pattern must not appear. Blank lines are ignored; a UTF-8 byte
    /// order mark, CRLF line ends and double-quoted fields are accepted.
    pub fn from_csv_reader<R: Read>(mut reader: R) -> Result<CaptureTable, MseError> {
        let mut text = String::new();
        reader.read_to_string(&mut text)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Err(MseError::Empty);
        };
        let names: Vec<String> = split_fields(header);
        let Some(last) = names.last() else {
            return Err(MseError::Empty);
        };
        if !last.eq_ignore_ascii_case("count") {
            return Err(MseError::Header(format!(
                "the last column must be `count`, found `{last}`"
            )));
        }
        let lists: Vec<String> = names[..names.len() - 1].to_vec();
        check_list_names(&lists)?;
        let k = lists.len();
        let count_col = names[k].clone();
        let mut counts = vec![0u64; 1usize << k];
        let mut first_line = vec![0usize; 1usize << k];
        for (line, row) in lines {
            let fields = split_fields(row);
            if fields.len() != k + 1 {
                return Err(MseError::FieldCount {
                    line,
                    expected: k + 1,
                    found: fields.len(),
                });
            }
            let mut pattern = 0usize;
            for (j, value) in fields[..k].iter().enumerate() {
                match value.as_str() {
                    "0" => {}
                    "1" => pattern |= 1 << j,
                    _ => {
                        return Err(MseError::NotBinary {
                            line,
                            column: lists[j].clone(),
                            value: value.clone(),
                        })
                    }
                }
            }
            let raw = &fields[k];
            let count: u64 = raw.parse().map_err(|_| MseError::BadCount {
                line,
                column: count_col.clone(),
                value: raw.clone(),
            })?;
            if pattern == 0 {
                return Err(MseError::AllZeroPattern { line });
            }
            if first_line[pattern] != 0 {
                return Err(MseError::DuplicatePattern {
                    line,
                    first_line: first_line[pattern],
                    pattern: pattern_string(pattern as u32, k),
                });
            }
            first_line[pattern] = line;
            counts[pattern] = count;
        }
        let table = CaptureTable { lists, counts };
        if table.observed() == 0 {
            return Err(MseError::NoData);
        }
        Ok(table)
    }

    /// Reads a CSV file; see [`CaptureTable::from_csv_reader`].
    pub fn from_csv_path(path: impl AsRef<std::path::Path>) -> Result<CaptureTable, MseError> {
        let file = std::fs::File::open(path.as_ref())
            .map_err(|e| MseError::Io(format!("{}: {e}", path.as_ref().display())))?;
        CaptureTable::from_csv_reader(std::io::BufReader::new(file))
    }

    /// Names of the lists, in column order.
    pub fn lists(&self) -> &[String] {
        &self.lists
    }

    pub fn num_lists(&self) -> usize {
        self.lists.len()
    }

    /// Count of persons with exactly this capture pattern (0 for pattern 0).
    pub fn count(&self, pattern: u32) -> u64 {
        self.counts.get(pattern as usize).copied().unwrap_or(0)
    }

    /// All counts indexed by pattern, `0..2^k` (entry 0 is 0).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Number of distinct persons observed on at least one list.
    pub fn observed(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Persons on both list `i` and list `j` (whatever else they are on).
    pub fn overlap(&self, i: usize, j: usize) -> u64 {
        let m = (1usize << i) | (1usize << j);
        self.counts
            .iter()
            .enumerate()
            .filter(|(p, _)| p & m == m)
            .map(|(_, c)| c)
            .sum()
    }

    /// Persons on at least two lists.
    pub fn multiply_captured(&self) -> u64 {
        self.counts
            .iter()
            .enumerate()
            .filter(|(p, _)| p.count_ones() >= 2)
            .map(|(_, c)| c)
            .sum()
    }

    /// The same data with the lists reordered: new list `i` is old list `perm[i]`.
    pub fn permute_lists(&self, perm: &[usize]) -> CaptureTable {
        let k = self.num_lists();
        assert_eq!(perm.len(), k, "permutation length");
        let lists = perm.iter().map(|&o| self.lists[o].clone()).collect();
        let mut counts = vec![0u64; 1usize << k];
        for (new_pattern, c) in counts.iter_mut().enumerate() {
            let mut old = 0usize;
            for (i, &o) in perm.iter().enumerate() {
                if new_pattern & (1 << i) != 0 {
                    old |= 1 << o;
                }
            }
            *c = self.counts[old];
        }
        CaptureTable { lists, counts }
    }

    /// Names the lists in a pattern, e.g. `LA+NG`.
    pub fn pattern_name(&self, pattern: u32) -> String {
        (0..self.num_lists())
            .filter(|i| pattern & (1 << i) != 0)
            .map(|i| self.lists[i].as_str())
            .collect::<Vec<_>>()
            .join("+")
    }
}

fn check_list_names(lists: &[String]) -> Result<(), MseError> {
    if lists.len() < 2 {
        return Err(MseError::TooFewLists { found: lists.len() });
    }
    if lists.len() > MAX_LISTS {
        return Err(MseError::TooManyLists {
            found: lists.len(),
            max: MAX_LISTS,
        });
    }
    for (i, name) in lists.iter().enumerate() {
        if name.is_empty() {
            return Err(MseError::Header(format!(
                "column {} has an empty list name",
                i + 1
            )));
        }
        if name.eq_ignore_ascii_case("count") {
            return Err(MseError::Header(format!(
                "column {} is named `count`: only the last column may be",
                i + 1
            )));
        }
        if lists[..i].contains(name) {
            return Err(MseError::Header(format!(
                "list name `{name}` appears twice"
            )));
        }
    }
    Ok(())
}

fn split_fields(line: &str) -> Vec<String> {
    line.split(',')
        .map(|f| {
            let f = f.trim();
            let f = f
                .strip_prefix('"')
                .and_then(|g| g.strip_suffix('"'))
                .unwrap_or(f);
            f.trim().to_string()
        })
        .collect()
}

/// A pattern written as 0/1 digits in list order, e.g. `110`.
pub(crate) fn pattern_string(pattern: u32, k: usize) -> String {
    (0..k)
        .map(|i| if pattern & (1 << i) != 0 { '1' } else { '0' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_counts() {
        let t = CaptureTable::from_csv_reader(
            "A,B,C,count\n1,0,0,40\n0,1,0,30\n0,0,1,20\n1,1,0,6\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.num_lists(), 3);
        assert_eq!(t.observed(), 96);
        assert_eq!(t.count(0b011), 6);
        assert_eq!(t.overlap(0, 1), 6);
        assert_eq!(t.overlap(0, 2), 0);
        assert_eq!(t.pattern_name(0b011), "A+B");
        let p = t.permute_lists(&[2, 0, 1]);
        assert_eq!(p.lists(), &["C", "A", "B"]);
        assert_eq!(p.overlap(1, 2), 6);
        assert_eq!(p.observed(), 96);
    }
}
