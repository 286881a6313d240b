//! Input validation: every error names the line and, where there is one, the column.

use vigia_mse::{CaptureTable, MseError};

fn parse(s: &str) -> Result<CaptureTable, MseError> {
    CaptureTable::from_csv_reader(s.as_bytes())
}

#[test]
fn value_not_binary() {
    let e = parse("A,B,count\n1,0,5\n1,2,3\n").unwrap_err();
    assert_eq!(
        e,
        MseError::NotBinary {
            line: 3,
            column: "B".into(),
            value: "2".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "line 3, column `B`: capture value `2` is not 0 or 1"
    );
}

#[test]
fn negative_or_fractional_count() {
    let e = parse("A,B,count\n1,0,-5\n").unwrap_err();
    assert_eq!(
        e,
        MseError::BadCount {
            line: 2,
            column: "count".into(),
            value: "-5".into()
        }
    );
    assert!(e.to_string().contains("line 2, column `count`"));
    assert!(matches!(
        parse("A,B,count\n1,0,2.5\n"),
        Err(MseError::BadCount { line: 2, .. })
    ));
}

#[test]
fn duplicate_pattern() {
    let e = parse("A,B,count\n1,0,5\n0,1,4\n1,0,3\n").unwrap_err();
    assert_eq!(
        e,
        MseError::DuplicatePattern {
            line: 4,
            first_line: 2,
            pattern: "10".into()
        }
    );
}

#[test]
fn all_zero_pattern() {
    let e = parse("A,B,count\n1,0,5\n0,0,7\n").unwrap_err();
    assert_eq!(e, MseError::AllZeroPattern { line: 3 });
}

#[test]
fn list_counts() {
    assert_eq!(
        parse("A,count\n1,5\n").unwrap_err(),
        MseError::TooFewLists { found: 1 }
    );
    let header: Vec<String> = (0..11).map(|i| format!("L{i}")).collect();
    let csv = format!("{},count\n", header.join(","));
    assert_eq!(
        parse(&csv).unwrap_err(),
        MseError::TooManyLists { found: 11, max: 10 }
    );
}

#[test]
fn header_and_shape() {
    assert!(matches!(parse("A,B,n\n1,0,5\n"), Err(MseError::Header(_))));
    assert!(matches!(
        parse("A,A,count\n1,0,5\n"),
        Err(MseError::Header(_))
    ));
    assert_eq!(parse("").unwrap_err(), MseError::Empty);
    assert_eq!(
        parse("A,B,count\n1,0\n").unwrap_err(),
        MseError::FieldCount {
            line: 2,
            expected: 3,
            found: 2
        }
    );
    assert_eq!(parse("A,B,count\n1,0,0\n").unwrap_err(), MseError::NoData);
}

#[test]
fn tolerant_of_bom_crlf_quotes_and_blank_lines() {
    let t = parse("\u{feff}\"A\",\"B\",\"count\"\r\n1,0,60\r\n\r\n0,1,40\r\n1,1,20\r\n").unwrap();
    assert_eq!(t.lists(), &["A", "B"]);
    assert_eq!(t.observed(), 120);
}
