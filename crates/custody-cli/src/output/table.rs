//! Column alignment as Go's `text/tabwriter` does it for the Kosli CLI
//! (`tabwriter.NewWriter(out, 5, 12, 2, ' ', 0)`): cells are tab-terminated,
//! padded with spaces to the width of their column block, and the text after
//! the last tab of a line is copied as is.

/// The minimal width of a column, padding included.
const MIN_WIDTH: usize = 5;
/// The spaces added after the widest cell of a column.
const PADDING: usize = 2;

/// Collects tab-separated lines and renders them aligned, byte for byte as
/// Go's `text/tabwriter` with minwidth 5, padding 2, pad char ' ' and no flags.
///
/// A column's width is the largest rune count of its cells, plus 2 and at
/// least 5, taken over a *block*: a run of consecutive lines that all have the
/// column. A line with fewer cells ends the block, so each run is aligned on
/// its own. Empty cells are padded too, which leaves trailing spaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TabWriter {
    lines: Vec<String>,
}

impl TabWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds tab-separated text. Embedded newlines start new lines, as when Go
    /// prints a multi-line string into the writer.
    pub fn line(&mut self, s: impl Into<String>) {
        let s = s.into();
        self.lines.extend(s.split('\n').map(str::to_owned));
    }

    /// Renders every line, each ending with `'\n'`.
    pub fn render(&self) -> String {
        let rows: Vec<Vec<&str>> = self.lines.iter().map(|l| l.split('\t').collect()).collect();
        let widths = column_widths(&rows);
        let mut out = String::new();
        for (cells, widths) in rows.iter().zip(&widths) {
            // Every cell but the last was tab-terminated and has a width.
            for (cell, &width) in cells.iter().zip(widths) {
                out.push_str(cell);
                let pad = width - cell.chars().count();
                out.extend(std::iter::repeat_n(' ', pad));
            }
            out.push_str(cells.last().copied().unwrap_or_default());
            out.push('\n');
        }
        out
    }
}

/// The width of each tab-terminated cell of each row (`rows[i].len() - 1` per row).
fn column_widths(rows: &[Vec<&str>]) -> Vec<Vec<usize>> {
    let terminated = |row: &Vec<&str>| row.len() - 1;
    let mut widths: Vec<Vec<usize>> = rows.iter().map(|r| vec![0; terminated(r)]).collect();
    let columns = rows.iter().map(terminated).max().unwrap_or(0);
    for column in 0..columns {
        let has_column = |row: &Vec<&str>| terminated(row) > column;
        let mut start = 0;
        for block in rows.chunk_by(|a, b| has_column(a) == has_column(b)) {
            let end = start + block.len();
            if has_column(&block[0]) {
                let width = block
                    .iter()
                    .map(|row| row[column].chars().count() + PADDING)
                    .fold(MIN_WIDTH, usize::max);
                for row_widths in &mut widths[start..end] {
                    row_widths[column] = width;
                }
            }
            start = end;
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(lines: &[&str]) -> String {
        let mut w = TabWriter::new();
        for l in lines {
            w.line(*l);
        }
        w.render()
    }

    #[test]
    fn pads_cells_to_the_widest_plus_two_but_at_least_five() {
        assert_eq!(render(&["a\tb", "aaa\tbb"]), "a    b\naaa  bb\n");
        assert_eq!(render(&["abcd\tx", "a\ty"]), "abcd  x\na     y\n");
        assert_eq!(
            render(&["NAME\tDESCRIPTION\tVISIBILITY"]),
            "NAME  DESCRIPTION  VISIBILITY\n"
        );
    }

    #[test]
    fn text_after_the_last_tab_is_not_a_cell() {
        assert_eq!(
            render(&["a\tlong text", "bb\tx"]),
            "a    long text\nbb   x\n"
        );
        assert_eq!(render(&["no tabs at all"]), "no tabs at all\n");
        assert_eq!(render(&[""]), "\n");
    }

    #[test]
    fn empty_cells_are_padded_so_trailing_spaces_remain() {
        assert_eq!(render(&["a\tb\tc", "\t\t"]), "a    b    c\n          \n");
        assert_eq!(render(&["x\t"]), "x    \n");
    }

    #[test]
    fn widths_count_runes_not_bytes() {
        assert_eq!(render(&["é\tx", "ab\ty"]), "é    x\nab   y\n");
        assert_eq!(render(&["•••••\tx", "a\ty"]), "•••••  x\na      y\n");
    }

    #[test]
    fn a_line_with_fewer_cells_ends_the_column_block() {
        let out = render(&["long label\tv", "break", "a\tb"]);
        assert_eq!(out, "long label  v\nbreak\na    b\n");
        // Column 1 breaks at the second line while column 0 runs on.
        let out = render(&["a\tbbbbbb\tc", "a\td", "a\tb\tc"]);
        assert_eq!(out, "a    bbbbbb  c\na    d\na    b    c\n");
    }

    #[test]
    fn embedded_newlines_start_new_lines() {
        assert_eq!(render(&["a\tb\n\tc"]), render(&["a\tb", "\tc"]));
    }

    #[test]
    fn get_artifact_block_from_the_tutorial() {
        let commit = "16d9990ad23a40eecaf087abac2a58a2d2a4b3f4";
        let mut w = TabWriter::new();
        w.line("Name:\tcyberdojo/runner:16d9990");
        w.line("Flow:\trunner");
        w.line("Fingerprint:\t9af401c4350b21e3f1df17d6ad808da43d9646e75b6da902cc7c492bcfb9c625");
        w.line("Created on:\tMon, 22 Aug 2022 11:35:00 CEST • 15 days ago");
        w.line(format!("Git commit:\t{commit}"));
        w.line(format!(
            "Commit URL:\thttps://github.com/cyber-dojo/runner/commit/{commit}"
        ));
        w.line("Build URL:\thttps://github.com/cyber-dojo/runner/actions/runs/2902808452");
        w.line("State:\tCOMPLIANT");
        w.line("History:");
        for event in HISTORY.lines() {
            let (text, at) = event.split_once('|').unwrap();
            w.line(format!("    {text}\t{at}"));
        }
        assert_eq!(w.render(), TUTORIAL_GET_ARTIFACT);
    }

    #[test]
    fn get_snapshot_table_from_the_tutorial() {
        let registry = "274425519734.dkr.ecr.eu-central-1.amazonaws.com";
        let mut w = TabWriter::new();
        w.line("COMMIT\tARTIFACT\tFLOW\tRUNNING_SINCE\tREPLICAS");
        for artifact in SNAPSHOT_ARTIFACTS.lines() {
            let [commit, flow, fingerprint, since, replicas] =
                artifact.split('|').collect::<Vec<_>>()[..]
            else {
                panic!("bad fixture row {artifact}");
            };
            let name = match commit {
                // Stands for the elided rows, which have a 79-rune cell and a 9-rune flow.
                "elided1" => "x".repeat(73),
                _ => format!("{registry}/{flow}:{commit}"),
            };
            w.line(format!(
                "{commit}\tName: {name}\t{flow}\t{since}\t{replicas}"
            ));
            w.line(format!("\tFingerprint: {fingerprint}\t\t\t"));
            w.line("\t\t\t\t");
        }
        let out = w.render();
        let lines: Vec<&str> = out.lines().collect();
        // Go pads the empty cells of the fingerprint and separator rows.
        assert_eq!(lines[2].len(), 9 + 81 + 11 + 15);
        assert_eq!(lines[3], " ".repeat(9 + 81 + 11 + 15));

        let mut shown: Vec<&str> = lines.iter().map(|l| l.trim_end()).collect();
        shown.splice(7..9, ["...some output elided..."]);
        shown.pop(); // the markdown drops the final separator row
        assert_eq!(shown.join("\n") + "\n", TUTORIAL_GET_SNAPSHOT);
    }

    const HISTORY: &str = "\
Artifact created|Mon, 22 Aug 2022 11:35:00 CEST
branch-coverage evidence received|Mon, 22 Aug 2022 11:36:02 CEST
Deployment #18 to aws-beta environment|Mon, 22 Aug 2022 11:37:17 CEST
Deployment #19 to aws-prod environment|Mon, 22 Aug 2022 11:38:21 CEST
Started running in aws-beta#84 environment|Mon, 22 Aug 2022 11:38:28 CEST
Started running in aws-prod#65 environment|Mon, 22 Aug 2022 11:39:22 CEST
Scaled down from 3 to 2 in aws-beta#117 environment|Wed, 24 Aug 2022 18:03:42 CEST
No longer running in aws-beta#119 environment|Wed, 24 Aug 2022 18:05:42 CEST
Scaled down from 3 to 1 in aws-prod#94 environment|Wed, 24 Aug 2022 18:10:28 CEST
No longer running in aws-prod#96 environment|Wed, 24 Aug 2022 18:12:28 CEST";

    const SNAPSHOT_ARTIFACTS: &str = "\
16d9990|runner|9af401c4350b21e3f1df17d6ad808da43d9646e75b6da902cc7c492bcfb9c625|11 days ago|3
7c45272|shas|76c442c04283c4ca1af22d882750eb960cf53c0aa041bbdb2db9df2f2c1282be|11 days ago|1
elided1|elided-fl|ffff|13 days ago|1
85d83c6|runner|eeb0cfc9ee7f69fbd9531d5b8c1e8d22a8de119e2a422344a714a868e9a8bfec|13 days ago|1
1a2b170|differ|d8440b94f7f9174c180324ceafd4148360d9d7c916be2b910f132c58b8a943ae|13 days ago|1";

    const TUTORIAL_GET_ARTIFACT: &str = "\
Name:         cyberdojo/runner:16d9990
Flow:         runner
Fingerprint:  9af401c4350b21e3f1df17d6ad808da43d9646e75b6da902cc7c492bcfb9c625
Created on:   Mon, 22 Aug 2022 11:35:00 CEST • 15 days ago
Git commit:   16d9990ad23a40eecaf087abac2a58a2d2a4b3f4
Commit URL:   https://github.com/cyber-dojo/runner/commit/16d9990ad23a40eecaf087abac2a58a2d2a4b3f4
Build URL:    https://github.com/cyber-dojo/runner/actions/runs/2902808452
State:        COMPLIANT
History:
    Artifact created                                     Mon, 22 Aug 2022 11:35:00 CEST
    branch-coverage evidence received                    Mon, 22 Aug 2022 11:36:02 CEST
    Deployment #18 to aws-beta environment               Mon, 22 Aug 2022 11:37:17 CEST
    Deployment #19 to aws-prod environment               Mon, 22 Aug 2022 11:38:21 CEST
    Started running in aws-beta#84 environment           Mon, 22 Aug 2022 11:38:28 CEST
    Started running in aws-prod#65 environment           Mon, 22 Aug 2022 11:39:22 CEST
    Scaled down from 3 to 2 in aws-beta#117 environment  Wed, 24 Aug 2022 18:03:42 CEST
    No longer running in aws-beta#119 environment        Wed, 24 Aug 2022 18:05:42 CEST
    Scaled down from 3 to 1 in aws-prod#94 environment   Wed, 24 Aug 2022 18:10:28 CEST
    No longer running in aws-prod#96 environment         Wed, 24 Aug 2022 18:12:28 CEST
";

    const TUTORIAL_GET_SNAPSHOT: &str = "\
COMMIT   ARTIFACT                                                                         FLOW       RUNNING_SINCE  REPLICAS
16d9990  Name: 274425519734.dkr.ecr.eu-central-1.amazonaws.com/runner:16d9990             runner     11 days ago    3
         Fingerprint: 9af401c4350b21e3f1df17d6ad808da43d9646e75b6da902cc7c492bcfb9c625

7c45272  Name: 274425519734.dkr.ecr.eu-central-1.amazonaws.com/shas:7c45272               shas       11 days ago    1
         Fingerprint: 76c442c04283c4ca1af22d882750eb960cf53c0aa041bbdb2db9df2f2c1282be

...some output elided...

85d83c6  Name: 274425519734.dkr.ecr.eu-central-1.amazonaws.com/runner:85d83c6             runner     13 days ago    1
         Fingerprint: eeb0cfc9ee7f69fbd9531d5b8c1e8d22a8de119e2a422344a714a868e9a8bfec

1a2b170  Name: 274425519734.dkr.ecr.eu-central-1.amazonaws.com/differ:1a2b170             differ     13 days ago    1
         Fingerprint: d8440b94f7f9174c180324ceafd4148360d9d7c916be2b910f132c58b8a943ae
";
}
