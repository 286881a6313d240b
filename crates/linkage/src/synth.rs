//! Seeded generator of two agency lists with the hard cases of the field:
//! accents dropped or added, one of two surnames missing, given and family
//! names swapped, day and month swapped, upper case, missing and partial
//! dates, typos, spelling variants, missing identifiers, three date formats;
//! names from Portuguese, Spanish, West African languages and English. The
//! name lists are written for this generator: common first names and
//! surnames, no real person.

use std::io::Write;
use std::path::Path;

use crate::error::{LinkError, Result};
use crate::hash::Rng;

const PT_GIVEN: &[&str] = &[
    "João", "José", "António", "Francisco", "Luís", "Paulo", "Manuel", "Pedro", "Rui", "Tiago", "Gonçalo", "Sebastião", "Vinícius", "Thiago",
    "Caio", "Felipe", "Rodrigo", "Fábio", "Márcio", "Cláudio", "Maria", "Ana", "Conceição", "Fátima", "Joana", "Inês", "Luísa", "Beatriz",
    "Mariana", "Letícia", "Lúcia", "Patrícia", "Sónia", "Raquel", "Vitória", "Débora", "Graça", "Rosângela", "Aparecida", "Luana",
];
const PT_SUR: &[&str] = &[
    "Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Jesus", "Sousa", "Fernandes", "Gonçalves",
    "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro", "Pinto", "Carvalho", "Teixeira", "Moreira", "Correia", "Mendes", "Nunes",
    "Soares", "Vieira", "Monteiro", "Cardoso", "Rocha", "Magalhães", "Araújo", "Conceição", "Nogueira", "Brandão", "Guimarães", "Falcão",
    "Assunção", "Simões", "Damasceno",
];
const ES_GIVEN: &[&str] = &[
    "José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Ángel", "Andrés", "Héctor", "Raúl", "Óscar", "Iván", "Sebastián", "Joaquín",
    "Ramón", "Rubén", "Adrián", "Víctor", "Álvaro", "Julián", "María", "Carmen", "Lucía", "Sofía", "Marta", "Inés", "Rocío", "Begoña",
    "Mónica", "Verónica", "Ángela", "Raquel", "Beatriz", "Dolores", "Guadalupe", "Pilar", "Consuelo", "Remedios", "Soledad", "Nuria",
];
const ES_SUR: &[&str] = &[
    "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz",
    "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez",
    "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Suárez", "Molina", "Castillo", "Ortega", "Rubio", "Núñez", "Ibáñez", "Peña",
    "Chávez", "Velázquez", "Quiñones",
];
const WA_GIVEN: &[&str] = &[
    "Oluwaseun", "Adebayo", "Olúwadámilárá", "Chinedu", "Ngozi", "Chiamaka", "Nkechi", "Emeka", "Obinna", "Ifeoma", "Kwame", "Kofi",
    "Akua", "Ama", "Yaw", "Kwabena", "Abena", "Efua", "Mamadou", "Ousmane", "Aminata", "Fatoumata", "Moussa", "Ibrahima", "Awa",
    "Mariama", "Aissatou", "Seydou", "Boubacar", "Adama", "Yetunde", "Funmilayo", "Babajide", "Temitope", "Adaeze", "Uchenna",
    "Kouassi", "Aya", "Modou", "Ndeye",
];
const WA_SUR: &[&str] = &[
    "Adeyemi", "Okafor", "Okonkwo", "Ògúnlẹ́yẹ", "Adebayo", "Nwosu", "Eze", "Obi", "Mensah", "Owusu", "Asante", "Boateng", "Appiah",
    "Osei", "Agyeman", "Diallo", "Traoré", "Koné", "Coulibaly", "Ouédraogo", "Sow", "Bah", "Camara", "Keïta", "Touré", "Ndiaye", "Diop",
    "Fall", "Sy", "Cissé", "Sanogo", "Kouyaté", "Balogun", "Adewale", "Okeke", "Nnamdi", "Achebe", "Danjuma", "Bello", "Yeboah",
];
const EN_GIVEN: &[&str] = &[
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Thomas", "Charles", "Daniel", "Matthew", "Anthony", "Mark",
    "Steven", "Paul", "Andrew", "Joshua", "Kevin", "Brian", "George", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara",
    "Susan", "Jessica", "Sarah", "Karen", "Nancy", "Lisa", "Margaret", "Sandra", "Ashley", "Emily", "Donna", "Michelle", "Dorothy", "Helen",
];
const EN_SUR: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin",
    "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green",
    "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins",
];

/// Spelling variants seen across agencies (same person, other spelling).
const VARIANTS: &[(&str, &str)] = &[
    ("Gonçalves", "Gonsalves"), ("Luís", "Luiz"), ("Sousa", "Souza"), ("Thiago", "Tiago"), ("Felipe", "Filipe"), ("Vinícius", "Vinicios"),
    ("Magalhães", "Magalhaes"), ("Kwame", "Kouame"), ("Mamadou", "Mamadu"), ("Ousmane", "Usman"), ("Ouédraogo", "Wedraogo"),
    ("Aissatou", "Aïssatou"), ("Fatoumata", "Fatumata"), ("Keïta", "Keita"), ("Ndiaye", "N'Diaye"), ("Chávez", "Chaves"),
    ("Vázquez", "Vasquez"), ("Jiménez", "Gimenez"), ("Yetunde", "Yetundé"), ("Mohammed", "Muhammad"), ("Catherine", "Katherine"),
    ("Stephen", "Steven"), ("Mensah", "Mensa"), ("Okonkwo", "Okonkow"),
];

/// One person of the hidden population.
#[derive(Debug, Clone)]
struct Person {
    given: Vec<&'static str>,
    surnames: Vec<&'static str>,
    y: u16,
    m: u8,
    d: u8,
    doc: String,
    town: u32,
}

fn person(rng: &mut Rng) -> Person {
    let lang = rng.below(4);
    let (g, s) = match lang {
        0 => (PT_GIVEN, PT_SUR),
        1 => (ES_GIVEN, ES_SUR),
        2 => (WA_GIVEN, WA_SUR),
        _ => (EN_GIVEN, EN_SUR),
    };
    let mut given = vec![*rng.pick(g)];
    if rng.chance(0.35) {
        let second = *rng.pick(g);
        if second != given[0] {
            given.push(second);
        }
    }
    let mut surnames = vec![*rng.pick(s)];
    // Iberian names usually carry two surnames.
    if (lang <= 1 && rng.chance(0.8)) || rng.chance(0.1) {
        let second = *rng.pick(s);
        if second != surnames[0] {
            surnames.push(second);
        }
    }
    Person {
        given,
        surnames,
        y: 1950 + rng.below(58) as u16,
        m: 1 + rng.below(12) as u8,
        d: 1 + rng.below(28) as u8,
        doc: format!("{:09}", rng.below(1_000_000_000)),
        town: rng.below(5_000) as u32,
    }
}

fn strip_accents(s: &str) -> String {
    crate::normalize::fold(s).split(' ').map(capitalise).collect::<Vec<_>>().join(" ")
}

fn capitalise(t: &str) -> String {
    let mut c = t.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

fn add_accent(s: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = s.chars().collect();
    let vowels: Vec<usize> = chars.iter().enumerate().filter(|(_, c)| "aeiou".contains(**c)).map(|(i, _)| i).collect();
    if vowels.is_empty() {
        return s.to_owned();
    }
    let i = *rng.pick(&vowels);
    let acc = match chars[i] {
        'a' => 'á',
        'e' => 'é',
        'i' => 'í',
        'o' => 'ó',
        _ => 'ú',
    };
    chars.iter().enumerate().map(|(j, c)| if j == i { acc } else { *c }).collect()
}

fn typo(s: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() < 4 {
        return s.to_owned();
    }
    let i = 1 + rng.below(chars.len() - 2);
    match rng.below(4) {
        0 => {
            chars.remove(i);
        }
        1 => chars.insert(i, *rng.pick(&['a', 'e', 'n', 'r', 's', 't', 'l'])),
        2 => chars.swap(i, i + 1),
        _ => chars[i] = *rng.pick(&['a', 'e', 'i', 'o', 'n', 'r', 'm']),
    }
    chars.into_iter().collect()
}

fn variant(name: &str) -> Option<&'static str> {
    VARIANTS.iter().find_map(|&(a, b)| if a == name { Some(b) } else if b == name { Some(a) } else { None })
}

/// How strongly records are corrupted.
#[derive(Debug, Clone, Copy)]
pub struct Noise {
    /// Base rate multiplier (1.0 = the documented rates).
    pub level: f64,
}

/// One written record: `[rec_id, given_name, surname, date_of_birth, doc_id, town]`.
fn render(p: &Person, id: String, rng: &mut Rng, noise: Noise) -> [String; 6] {
    let r = |rng: &mut Rng, p: f64| rng.chance(p * noise.level);
    let mut given: Vec<String> = p.given.iter().map(|s| (*s).to_owned()).collect();
    let mut sur: Vec<String> = p.surnames.iter().map(|s| (*s).to_owned()).collect();
    // Second given name often dropped; one of two surnames missing.
    if given.len() > 1 && r(rng, 0.3) {
        given.pop();
    }
    if sur.len() > 1 && r(rng, 0.3) {
        let i = rng.below(2);
        sur.remove(i);
    }
    for n in given.iter_mut().chain(sur.iter_mut()) {
        if r(rng, 0.08) {
            if let Some(v) = variant(n) {
                *n = v.to_owned();
            }
        }
        if r(rng, 0.25) {
            *n = strip_accents(n);
        } else if r(rng, 0.05) {
            *n = add_accent(n, rng);
        }
        if r(rng, 0.06) {
            *n = typo(n, rng);
        }
    }
    let mut g = given.join(" ");
    let mut s = sur.join(" ");
    if r(rng, 0.06) {
        std::mem::swap(&mut g, &mut s);
    }
    if r(rng, 0.2) {
        g = g.to_uppercase();
        s = s.to_uppercase();
    }
    // Dates.
    let (mut m, mut d, mut y) = (p.m, p.d, p.y);
    if r(rng, 0.06) && d <= 12 {
        std::mem::swap(&mut m, &mut d);
    }
    if r(rng, 0.03) {
        y = if rng.chance(0.5) { y + 1 } else { y - 1 };
    }
    let date = if r(rng, 0.08) {
        String::new()
    } else if r(rng, 0.04) {
        format!("{y}")
    } else {
        match rng.below(3) {
            0 => format!("{y:04}{m:02}{d:02}"),
            1 => format!("{y:04}-{m:02}-{d:02}"),
            _ => format!("{d:02}/{m:02}/{y:04}"),
        }
    };
    let doc = if r(rng, 0.5) {
        String::new()
    } else if r(rng, 0.03) {
        typo(&p.doc, rng)
    } else {
        p.doc.clone()
    };
    let town = if r(rng, 0.1) { String::new() } else { format!("Town {}", p.town) };
    [id, g, s, date, doc, town]
}

/// A generated pair of lists with the truth.
pub struct TwoLists {
    /// Rows of list A (see [`HEADER`]).
    pub a: Vec<[String; 6]>,
    /// Rows of list B.
    pub b: Vec<[String; 6]>,
    /// True pairs (A id, B id).
    pub truth: Vec<(String, String)>,
}

/// Column names of generated rows.
pub const HEADER: [&str; 6] = ["rec_id", "given_name", "surname", "date_of_birth", "doc_id", "town"];

/// The config that links generated lists.
pub const CONFIG: &str = r#"id = "rec_id"
[[fields]]
column = "given_name"
kind = "name"
[[fields]]
column = "surname"
kind = "name"
[[fields]]
column = "date_of_birth"
kind = "date"
[[fields]]
column = "doc_id"
kind = "id"
[[fields]]
column = "town"
kind = "text"
"#;

/// Generates two lists of `n` records each; half of the persons of each list
/// are also in the other. Each list is de-duplicated.
pub fn two_lists(n: usize, seed: u64) -> TwoLists {
    let mut rng = Rng::new(seed);
    let shared = n / 2;
    let persons: Vec<Person> = (0..2 * n - shared).map(|_| person(&mut rng)).collect();
    let noise = Noise { level: 1.0 };
    // A gets persons 0..n, B gets persons n-shared..2n-shared; shuffled order.
    let mut a_idx: Vec<usize> = (0..n).collect();
    let mut b_idx: Vec<usize> = (n - shared..2 * n - shared).collect();
    for v in [&mut a_idx, &mut b_idx] {
        for i in (1..v.len()).rev() {
            let j = rng.below(i + 1);
            v.swap(i, j);
        }
    }
    let a: Vec<[String; 6]> = a_idx.iter().enumerate().map(|(k, &p)| render(&persons[p], format!("A{k}"), &mut rng, noise)).collect();
    let b: Vec<[String; 6]> = b_idx.iter().enumerate().map(|(k, &p)| render(&persons[p], format!("B{k}"), &mut rng, noise)).collect();
    let mut pos_b = vec![usize::MAX; persons.len()];
    for (k, &p) in b_idx.iter().enumerate() {
        pos_b[p] = k;
    }
    let truth = a_idx
        .iter()
        .enumerate()
        .filter(|(_, &p)| pos_b[p] != usize::MAX)
        .map(|(k, &p)| (format!("A{k}"), format!("B{}", pos_b[p])))
        .collect();
    TwoLists { a, b, truth }
}

fn write_rows(path: &Path, rows: &[[String; 6]]) -> Result<()> {
    let mut w = csv::Writer::from_path(path).map_err(|e| LinkError::Csv { path: path.to_owned(), message: crate::clear::redact_csv(&e) })?;
    let err = |e: csv::Error| LinkError::Csv { path: path.to_owned(), message: crate::clear::redact_csv(&e) };
    w.write_record(HEADER).map_err(err)?;
    for r in rows {
        w.write_record(r).map_err(err)?;
    }
    w.flush().map_err(|e| LinkError::io(path, e))
}

/// Writes `a.csv`, `b.csv`, `true_pairs.csv` and `link.toml` into `dir`.
pub fn write_two_lists(dir: &Path, n: usize, seed: u64) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| LinkError::io(dir, e))?;
    let t = two_lists(n, seed);
    write_rows(&dir.join("a.csv"), &t.a)?;
    write_rows(&dir.join("b.csv"), &t.b)?;
    let p = dir.join("true_pairs.csv");
    let f = std::fs::File::create(&p).map_err(|e| LinkError::io(&p, e))?;
    let mut w = std::io::BufWriter::new(f);
    writeln!(w, "rec_id_a,rec_id_b").map_err(|e| LinkError::io(&p, e))?;
    for (x, y) in &t.truth {
        writeln!(w, "{x},{y}").map_err(|e| LinkError::io(&p, e))?;
    }
    w.flush().map_err(|e| LinkError::io(&p, e))?;
    let c = dir.join("link.toml");
    std::fs::write(&c, CONFIG).map_err(|e| LinkError::io(&c, e))
}
