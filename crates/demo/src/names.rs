//! Name pools, written for this crate: common given names and surnames of the
//! languages of the demo countries. Combinations are drawn at random; no list
//! describes a real person.

use rand::Rng;

use crate::pick;

/// A naming tradition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Portuguese,
    Spanish,
    English,
    French,
    Haitian,
    Yoruba,
    Igbo,
    Hausa,
    Edo,
    Akan,
    Wolof,
    Mande,
}

struct Pool {
    female: &'static [&'static str],
    male: &'static [&'static str],
    family: &'static [&'static str],
}

const PT: Pool = Pool {
    female: &[
        "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline", "Sandra", "Camila",
        "Amanda", "Bruna", "Jéssica", "Letícia", "Luciana", "Vanessa", "Raimunda", "Josefa", "Conceição", "Gabriela", "Larissa", "Tatiane",
        "Daniela", "Cláudia", "Rafaela", "Renata", "Simone", "Débora", "Kelly", "Thaís", "Lúcia", "Ângela", "Inês", "Joana", "Rita",
        "Sebastiana", "Edilene", "Rosângela",
    ],
    male: &[
        "José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos", "Luís", "Gabriel", "Rafael",
        "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo", "Rodrigo", "Manoel", "Sebastião", "Severino", "Edson", "Cícero",
        "Wellington", "Jailson", "Damião", "Fábio", "Valdir", "Rogério", "Domingos",
    ],
    family: &[
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro",
        "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade",
        "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cavalcanti", "Araújo", "Conceição", "Monteiro", "Correia",
        "Batista", "Teixeira", "Gonçalves", "Cardoso", "Melo", "Sousa", "Brandão",
    ],
};

const ES: Pool = Pool {
    female: &[
        "María", "Carmen", "Ana", "Laura", "Luisa", "Sofía", "Valentina", "Daniela", "Gabriela", "Andrea", "Camila", "Paola", "Yuliana",
        "Yessica", "Marisol", "Rosa", "Lucía", "Isabel", "Mariana", "Carolina", "Yolanda", "Guadalupe", "Alejandra", "Fernanda", "Diana",
        "Ángela", "Dolores", "Milagros", "Yulimar", "Karina",
    ],
    male: &[
        "José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Pedro", "Jorge", "Alejandro", "Andrés", "Javier", "Manuel", "Francisco",
        "Antonio", "Ramón", "Rafael", "Héctor", "Óscar", "Víctor", "Julio", "Wilmer", "Yeferson", "Kevin", "Edwin", "Jhon", "Cristian",
    ],
    family: &[
        "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz",
        "Hernández", "Díaz", "Moreno", "Álvarez", "Romero", "Torres", "Ramírez", "Flores", "Rojas", "Vargas", "Castillo", "Mendoza",
        "Guerrero", "Medina", "Herrera", "Castro", "Suárez", "Ortiz", "Morales", "Reyes", "Cruz", "Gutiérrez", "Peña", "Contreras",
        "Quispe", "Mamani", "Benítez", "Acosta",
    ],
};

const EN: Pool = Pool {
    female: &[
        "Mary", "Jennifer", "Elizabeth", "Patricia", "Sarah", "Jessica", "Ashley", "Grace", "Joy", "Blessing", "Mercy", "Faith", "Comfort",
        "Esther", "Deborah", "Victoria", "Gift", "Precious", "Favour", "Peace", "Happiness", "Mary-Jane",
    ],
    male: &[
        "John", "Michael", "David", "James", "Daniel", "Samuel", "Joseph", "Emmanuel", "Peter", "Paul", "Godwin", "Sunday", "Moses",
        "Isaac", "Anthony", "Stephen", "Friday", "Prince",
    ],
    family: &[
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Thomas", "Moore", "Jackson", "White",
        "Harris", "Clark", "Lewis",
    ],
};

const FR: Pool = Pool {
    female: &[
        "Marie", "Nathalie", "Isabelle", "Sophie", "Hélène", "Céline", "Élodie", "Chloé", "Léa", "Manon", "Françoise", "Geneviève",
        "Aurélie",
    ],
    male: &["Jean", "Pierre", "Michel", "Philippe", "Éric", "Frédéric", "Stéphane", "Luc", "Thierry", "Jérôme", "François", "René"],
    family: &[
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Lefèvre", "Girard",
        "Rousseau", "Fontaine",
    ],
};

const HT: Pool = Pool {
    female: &[
        "Marie", "Nadège", "Guerline", "Wideline", "Roseline", "Mirlande", "Fabienne", "Judith", "Stéphanie", "Esther", "Sherline",
        "Jessica", "Claudette", "Nathalie", "Lovely", "Darline", "Mireille", "Rose-Merline",
    ],
    male: &[
        "Jean", "Pierre", "Wilson", "Frantz", "Jacky", "Evens", "Reginald", "Wilner", "Kervens", "Ricardo", "Peterson", "Fritznel",
        "Jameson", "Roodly", "Wisly", "Jean-Robert",
    ],
    family: &[
        "Jean", "Pierre", "Joseph", "Louis", "Charles", "Jean-Baptiste", "Saint-Fleur", "Dorvil", "Désir", "Augustin", "Étienne",
        "François", "Baptiste", "Noël", "Célestin", "Paul", "Michel", "Alexis", "Jean-Louis", "Fils-Aimé",
    ],
};

const YO: Pool = Pool {
    female: &[
        "Adebisi", "Folake", "Funmilayo", "Oluwaseun", "Temitope", "Abimbola", "Adeola", "Bukola", "Yetunde", "Omolara", "Titilayo",
        "Kehinde", "Taiwo", "Damilola", "Oluwakemi", "Moyosore", "Ayomide", "Oluwatobiloba",
    ],
    male: &[
        "Adewale", "Olumide", "Babatunde", "Oluwaseun", "Ayodele", "Segun", "Femi", "Kunle", "Tunde", "Adebayo", "Olusegun",
        "Oluwadamilare", "Kayode", "Tobiloba", "Akinwale", "Gbenga",
    ],
    family: &[
        "Adeyemi", "Ogunleye", "Adebayo", "Olawale", "Ogunbiyi", "Afolabi", "Oyelaran", "Adeniyi", "Bamidele", "Oladipo", "Akinola",
        "Adewumi", "Ojo", "Ogundipe", "Olaniyan", "Ayodeji", "Oyewole", "Adegoke",
    ],
};

const IG: Pool = Pool {
    female: &[
        "Chinonso", "Ngozi", "Chiamaka", "Adaeze", "Nkechi", "Ifeoma", "Chioma", "Obiageli", "Uchenna", "Amarachi", "Ebere", "Chinwe",
        "Nneka", "Ogechi",
    ],
    male: &[
        "Chukwuemeka", "Obinna", "Chinedu", "Ikenna", "Nnamdi", "Emeka", "Uchenna", "Chibuike", "Ifeanyichukwu", "Kelechi", "Onyeka",
        "Tochukwu", "Ebuka",
    ],
    family: &[
        "Okafor", "Okeke", "Nwosu", "Eze", "Okonkwo", "Obi", "Nwachukwu", "Onyekachi", "Ugwu", "Nnadi", "Chukwu", "Anyanwu", "Ibe",
        "Okoro", "Nwankwo", "Agu", "Ezeh",
    ],
};

const HA: Pool = Pool {
    female: &[
        "Aisha", "Fatima", "Hauwa", "Zainab", "Maryam", "Hadiza", "Amina", "Binta", "Halima", "Rakiya", "Safiya", "Jamila", "Hafsat",
        "Khadija",
    ],
    male: &[
        "Musa", "Ibrahim", "Abubakar", "Usman", "Sani", "Aliyu", "Yusuf", "Bello", "Garba", "Suleiman", "Haruna", "Lawal", "Mohammed",
        "Abdullahi",
    ],
    family: &[
        "Abdullahi", "Mohammed", "Bello", "Usman", "Sani", "Garba", "Yakubu", "Lawal", "Danjuma", "Ibrahim", "Aminu", "Shehu", "Idris",
        "Umar",
    ],
};

const ED: Pool = Pool {
    female: &[
        "Osas", "Osarugue", "Eghosa", "Ivie", "Omosede", "Isoken", "Ewemade", "Osayuwame", "Ese", "Itohan", "Efe", "Ehinome", "Oghogho",
        "Uyiosa",
    ],
    male: &["Osagie", "Osaro", "Efosa", "Eghosa", "Uyi", "Nosa", "Osahon", "Ehizogie", "Omoruyi", "Ikponmwosa", "Osamuede"],
    family: &[
        "Osagie", "Igbinedion", "Omoregie", "Ehigiator", "Aigbe", "Osayande", "Iyamu", "Edosomwan", "Ogbebor", "Osemwegie", "Idahosa",
        "Uwaifo", "Aghedo", "Ekhator", "Ogiemwonyi", "Eweka",
    ],
};

const AK: Pool = Pool {
    female: &["Ama", "Akosua", "Abena", "Adwoa", "Afia", "Yaa", "Efua", "Akua", "Esi", "Adjoa", "Abla", "Akos"],
    male: &["Kwame", "Kofi", "Kwabena", "Kwaku", "Yaw", "Kojo", "Kwasi", "Kwadwo", "Ebo", "Fiifi", "Kweku"],
    family: &[
        "Mensah", "Owusu", "Boateng", "Asante", "Osei", "Agyeman", "Appiah", "Amoah", "Acheampong", "Ofori", "Boakye", "Darko", "Antwi",
        "Sarpong", "Quaye", "Addo",
    ],
};

const WO: Pool = Pool {
    female: &[
        "Fatou", "Awa", "Aminata", "Mariama", "Khady", "Ndèye", "Astou", "Coumba", "Sokhna", "Bineta", "Adama", "Dieynaba", "Rokhaya",
        "Maimouna",
    ],
    male: &[
        "Mamadou", "Moussa", "Cheikh", "Ousmane", "Ibrahima", "Modou", "Abdoulaye", "Babacar", "Serigne", "Pape", "Malick", "Lamine",
        "Aliou", "Saliou", "Alioune",
    ],
    family: &[
        "Diop", "Ndiaye", "Fall", "Sow", "Gueye", "Sarr", "Faye", "Diallo", "Ba", "Sy", "Thiam", "Mbaye", "Seck", "Ndour", "Cissé",
        "Niang", "Diouf", "Kane",
    ],
};

const MA: Pool = Pool {
    female: &[
        "Aminata", "Fatoumata", "Kadiatou", "Mariam", "Awa", "Oumou", "Assétou", "Salimata", "Rokia", "Djénéba", "Bintou", "Alimata",
        "Mariétou",
    ],
    male: &[
        "Moussa", "Seydou", "Bakary", "Souleymane", "Adama", "Drissa", "Boubacar", "Lassina", "Issa", "Salif", "Yacouba", "Madou", "Oumar",
        "Siaka",
    ],
    family: &[
        "Traoré", "Coulibaly", "Keïta", "Diarra", "Konaté", "Koné", "Camara", "Sangaré", "Touré", "Dembélé", "Ouédraogo", "Sawadogo",
        "Kaboré", "Zongo", "Bamba", "Doumbia", "Fofana", "Sidibé",
    ],
};

fn pool(lang: Lang) -> &'static Pool {
    match lang {
        Lang::Portuguese => &PT,
        Lang::Spanish => &ES,
        Lang::English => &EN,
        Lang::French => &FR,
        Lang::Haitian => &HT,
        Lang::Yoruba => &YO,
        Lang::Igbo => &IG,
        Lang::Hausa => &HA,
        Lang::Edo => &ED,
        Lang::Akan => &AK,
        Lang::Wolof => &WO,
        Lang::Mande => &MA,
    }
}

fn one<R: Rng>(rng: &mut R, xs: &'static [&'static str]) -> String {
    xs[rng.gen_range(0..xs.len())].to_string()
}

fn given<R: Rng>(rng: &mut R, p: &Pool, female: bool) -> String {
    one(rng, if female { p.female } else { p.male })
}

/// A person's true name: given names (words) and family names (units; a unit may
/// carry its particle, "da Silva").
pub(crate) fn full_name<R: Rng>(rng: &mut R, lang: Lang, female: bool) -> (Vec<String>, Vec<String>) {
    let p = pool(lang);
    let mut g = vec![given(rng, p, female)];
    let mut f = vec![one(rng, p.family)];
    match lang {
        Lang::Portuguese => {
            if rng.gen_bool(0.35) {
                let second = given(rng, p, female);
                if second != g[0] {
                    g.push(second);
                }
            }
            // Mother's surname, then father's; particles on some.
            if rng.gen_bool(0.75) {
                let second = one(rng, p.family);
                if second != f[0] {
                    f.push(second);
                }
            }
            for u in f.iter_mut() {
                let particle = match u.as_str() {
                    "Santos" => "dos",
                    "Silva" | "Conceição" | "Costa" | "Rocha" => "da",
                    "Souza" | "Sousa" | "Oliveira" | "Almeida" | "Andrade" | "Araújo" | "Jesus" | "Melo" => "de",
                    _ => continue,
                };
                if rng.gen_bool(0.4) {
                    *u = format!("{particle} {u}");
                }
            }
        }
        Lang::Spanish => {
            if rng.gen_bool(0.3) {
                let second = given(rng, p, female);
                if second != g[0] {
                    g.push(second);
                }
            }
            // Father's surname, then mother's.
            if rng.gen_bool(0.85) {
                let second = one(rng, p.family);
                if second != f[0] {
                    f.push(second);
                }
            }
        }
        Lang::Haitian | Lang::French => {
            if rng.gen_bool(0.35) {
                let first = if female { "Marie" } else { "Jean" };
                if g[0] != first {
                    g.insert(0, first.to_string());
                }
            }
        }
        Lang::Yoruba | Lang::Igbo | Lang::Edo | Lang::Hausa => {
            // A Christian or Muslim first name beside the native one, on many records.
            let p2 = if lang == Lang::Hausa { pool(Lang::Hausa) } else { pool(Lang::English) };
            if rng.gen_bool(0.45) {
                let extra = given(rng, p2, female);
                if extra != g[0] {
                    g.insert(0, extra);
                }
            }
        }
        Lang::Akan => {
            if rng.gen_bool(0.5) {
                g.insert(0, given(rng, pool(Lang::English), female));
            }
        }
        Lang::Wolof | Lang::Mande => {
            if rng.gen_bool(0.2) {
                let second = given(rng, p, female);
                if second != g[0] {
                    g.push(second);
                }
            }
        }
        Lang::English => {
            if rng.gen_bool(0.3) {
                let second = given(rng, p, female);
                if second != g[0] {
                    g.push(second);
                }
            }
        }
    }
    (g, f)
}

/// Pick a naming tradition from weights.
pub(crate) fn lang_of<R: Rng>(rng: &mut R, mix: &[(Lang, u32)]) -> Lang {
    pick(rng, mix)
}

/// Nicknames and abbreviations: (full, short).
pub(crate) const NICKNAMES: &[(&str, &str)] = &[
    ("Francisco", "Chico"),
    ("Francisco", "Fco."),
    ("José", "Zé"),
    ("Antônio", "Toninho"),
    ("Raimundo", "Mundinho"),
    ("Josefa", "Zefa"),
    ("Francisca", "Chica"),
    ("Sebastião", "Tião"),
    ("Conceição", "Ceiça"),
    ("Manoel", "Mané"),
    ("Maria", "Ma."),
    ("María", "Ma."),
    ("Guadalupe", "Lupe"),
    ("Jesús", "Chucho"),
    ("Alejandro", "Alex"),
    ("Dolores", "Lola"),
    ("Rafael", "Rafa"),
    ("Elizabeth", "Liz"),
    ("Jennifer", "Jenny"),
    ("Michael", "Mike"),
    ("Joseph", "Joe"),
    ("Samuel", "Sam"),
    ("Emmanuel", "Emma"),
    ("Victoria", "Vicky"),
    ("Oluwaseun", "Seun"),
    ("Oluwadamilare", "Dami"),
    ("Damilola", "Dami"),
    ("Oluwakemi", "Kemi"),
    ("Olusegun", "Segun"),
    ("Oluwatobiloba", "Tobi"),
    ("Funmilayo", "Funmi"),
    ("Babatunde", "Tunde"),
    ("Abimbola", "Bimbo"),
    ("Temitope", "Tope"),
    ("Adebisi", "Bisi"),
    ("Chukwuemeka", "Emeka"),
    ("Chinonso", "Nonso"),
    ("Ifeanyichukwu", "Ifeanyi"),
    ("Chiamaka", "Amaka"),
    ("Osarugue", "Osas"),
    ("Osayuwame", "Osas"),
    ("Ehizogie", "Ehiz"),
    ("Abubakar", "Abu"),
    ("Suleiman", "Sule"),
    ("Mamadou", "Modou"),
    ("Ibrahima", "Iba"),
    ("Abdoulaye", "Laye"),
    ("Fatoumata", "Fanta"),
    ("Souleymane", "Soulé"),
    ("Boubacar", "Bouba"),
    ("Akosua", "Akos"),
    ("Jean-Baptiste", "J.-Baptiste"),
];

/// Spelling variants that both occur in real lists.
pub(crate) const SPELLINGS: &[(&str, &str)] = &[
    ("Souza", "Sousa"),
    ("Luiz", "Luís"),
    ("Manoel", "Manuel"),
    ("Thaís", "Taís"),
    ("Kelly", "Keli"),
    ("Jéssica", "Jessika"),
    ("Yessica", "Jessica"),
    ("Yuliana", "Juliana"),
    ("Jhon", "John"),
    ("Cristian", "Christian"),
    ("Mohammed", "Muhammad"),
    ("Aisha", "Aishat"),
    ("Fatima", "Fatimah"),
    ("Khadija", "Hadiza"),
    ("Usman", "Othman"),
    ("Yusuf", "Yussuf"),
    ("Ndiaye", "N'Diaye"),
    ("Mbaye", "M'Baye"),
    ("Diallo", "Jallow"),
    ("Coulibaly", "Kulibali"),
    ("Ouédraogo", "Ouedraogo"),
    ("Cheikh", "Sheikh"),
    ("Oluwaseun", "Oluseun"),
    ("Chioma", "Chiomah"),
    ("Eze", "Ezeh"),
    ("Kwame", "Kwami"),
    ("Kojo", "Kodjo"),
    ("Jean-Baptiste", "Jean Baptiste"),
    ("Saint-Fleur", "St-Fleur"),
    ("Fils-Aimé", "Fils Aime"),
];

/// Plain spellings that some agencies write with accents (or tone marks).
pub(crate) const ACCENTED: &[(&str, &str)] = &[
    ("Jose", "José"),
    ("Maria", "María"),
    ("Antonio", "Antônio"),
    ("Fabio", "Fábio"),
    ("Marcia", "Márcia"),
    ("Lucia", "Lúcia"),
    ("Ines", "Inês"),
    ("Garcia", "García"),
    ("Gonzalez", "González"),
    ("Perez", "Pérez"),
    ("Ramirez", "Ramírez"),
    ("Rodriguez", "Rodríguez"),
    ("Gomez", "Gómez"),
    ("Traore", "Traoré"),
    ("Keita", "Keïta"),
    ("Toure", "Touré"),
    ("Cisse", "Cissé"),
    ("Helene", "Hélène"),
    ("Funmilayo", "Fúnmiláyọ̀"),
    ("Tunde", "Túndé"),
    ("Folake", "Fọláké"),
    ("Adebayo", "Adébáyọ̀"),
    ("Ojo", "Òjó"),
    ("Ngozi", "Ngọzi"),
    ("Kevin", "Kévin"),
];
