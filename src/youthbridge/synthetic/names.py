"""Hand-written lists of common given names and surnames of many origins.

No name here belongs to a real person: each is a common given name or surname,
combined at random. Lists keep the spelling a family would use, with hyphens,
apostrophes, particles, spaces and diacritics, because a reader that mangles
`Núñez`, `O'Brien`, `Nguyễn` or `Van der Berg` must be caught by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from youthbridge.domain.codes import RaceEthnicity


@dataclass(frozen=True)
class Origin:
    """A naming tradition: its given names, surnames and home languages."""

    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    languages: dict[str, float]


ORIGINS: dict[str, Origin] = {
    "hispanic": Origin(
        female=(
            "María", "Sofía", "Valentina", "Camila", "Ximena", "Guadalupe",
            "Daniela", "Lucía", "Andrea", "Fernanda", "Itzel", "Renata", "Ana",
            "Jimena", "Natalia", "Marisol", "Yesenia", "Ana Sofía",
        ),
        male=(
            "José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Ángel", "Diego",
            "Santiago", "Mateo", "Alejandro", "Emiliano", "Adrián", "Julián",
            "Sebastián", "Andrés", "Juan Carlos", "Héctor",
        ),
        surnames=(
            "García", "Martínez", "Rodríguez", "Hernández", "López", "González",
            "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Díaz", "Cruz",
            "Reyes", "Morales", "Ortiz", "Gutiérrez", "Chávez", "Ramos", "Ruiz",
            "Jiménez", "Álvarez", "Núñez", "Peña", "Ibáñez", "Muñoz", "Gómez",
            "Castillo", "Vásquez", "Romero", "Herrera", "Medina", "Aguilar",
            "Vargas", "Domínguez", "Ríos", "Salazar", "Mendoza", "Cárdenas",
            "De la Cruz", "Del Toro",
        ),
        languages={"Spanish": 0.55, "English": 0.45},
    ),
    "black-american": Origin(
        female=(
            "Aaliyah", "Imani", "Jada", "Nia", "Zuri", "Kennedy", "Maya",
            "Destiny", "Brianna", "Jasmine", "Ta'Nyah", "Amari",
        ),
        male=(
            "Jaylen", "Malik", "Darius", "Jamal", "Xavier", "Elijah", "Isaiah",
            "Marcus", "DeShawn", "Tre'von", "Jalen", "Andre",
        ),
        surnames=(
            "Johnson", "Williams", "Brown", "Jackson", "Davis", "Harris",
            "Robinson", "Thomas", "Walker", "Washington", "Jefferson", "Coleman",
            "Bryant", "Jenkins", "Freeman", "Mitchell", "Banks", "Gaines",
        ),
        languages={"English": 1.0},
    ),
    "east-african": Origin(
        female=(
            "Hana", "Meron", "Selam", "Tigist", "Hawa", "Amina", "Fartun", "Ayan",
            "Hodan", "Liya", "Bethlehem", "Ruth",
        ),
        male=(
            "Dawit", "Yonas", "Abel", "Samuel", "Abdirahman", "Mohamed", "Ahmed",
            "Bilal", "Ermias", "Nahom", "Abdullahi", "Tewodros",
        ),
        surnames=(
            "Tesfaye", "Haile", "Bekele", "Girma", "Tadesse", "Abebe",
            "Gebremedhin", "Kidane", "Mohamed", "Ali", "Hassan", "Abdi", "Osman",
            "Warsame", "Yusuf", "Gebre-Egziabher", "Wolde-Mariam",
        ),
        languages={"Amharic": 0.3, "Somali": 0.3, "Tigrinya": 0.15, "English": 0.25},
    ),
    "west-african": Origin(
        female=("Chiamaka", "Adaeze", "Ama", "Fatoumata", "Ngozi", "Aminata", "Efua"),
        male=("Kwame", "Chinedu", "Oluwaseun", "Mamadou", "Kofi", "Ibrahim", "Emeka"),
        surnames=(
            "Okafor", "Adeyemi", "Mensah", "Osei", "Diallo", "Traoré", "Koné",
            "Nwosu", "Eze", "Balogun", "Ouédraogo", "Bamba",
        ),
        languages={"English": 0.55, "French": 0.25, "Yoruba": 0.1, "Igbo": 0.1},
    ),
    "anglo": Origin(
        female=(
            "Emma", "Olivia", "Ava", "Isabella", "Harper", "Evelyn", "Abigail",
            "Emily", "Ella", "Madison", "Avery", "Chloe", "Zoey", "Nora", "Lily",
            "Mary-Kate", "Anne-Marie", "Hannah", "Grace", "Sarah",
        ),
        male=(
            "Liam", "Noah", "Oliver", "James", "William", "Benjamin", "Lucas",
            "Henry", "Jack", "Owen", "Wyatt", "Carter", "Logan", "Ethan", "Caleb",
            "Michael", "Daniel", "John Paul",
        ),
        surnames=(
            "Smith", "Miller", "Anderson", "Taylor", "Wilson", "Moore", "Clark",
            "Lewis", "Young", "Allen", "Wright", "Scott", "Baker", "Hall",
            "O'Brien", "O'Connor", "O'Neil", "McCarthy", "MacDonald", "Murphy",
            "Kelly", "Sullivan", "Campbell", "Stewart", "Hughes", "Cooper",
            "Bennett", "St. John", "Smith-Jones",
        ),
        languages={"English": 1.0},
    ),
    "european": Origin(
        female=("Chloé", "Zoë", "Amélie", "Léa", "Giulia", "Ingrid", "Anaïs", "Freya"),
        male=("Søren", "Björn", "François", "Jürgen", "Lukas", "Matteo", "João"),
        surnames=(
            "Van der Berg", "Van Dyke", "De Vries", "Müller", "Schmidt",
            "Schröder", "Weiß", "Fischer", "Becker", "Rossi", "Bianchi",
            "Esposito", "Dubois", "Lefèvre", "Johansson", "Nielsen", "Kowalski",
            "Nowak", "Wiśniewski", "da Silva", "Gonçalves", "D'Angelo",
        ),
        languages={"English": 0.7, "German": 0.1, "French": 0.1, "Portuguese": 0.1},
    ),
    "slavic": Origin(
        female=("Anastasia", "Sofiya", "Darya", "Viktoriya", "Oksana", "Yelena"),
        male=("Alexei", "Dmitri", "Mykola", "Artem", "Bohdan", "Sergei"),
        surnames=(
            "Ivanov", "Petrenko", "Kovalenko", "Shevchenko", "Bondarenko",
            "Melnyk", "Smirnov", "Popov", "Volkov", "Kuznetsov",
        ),
        languages={"Russian": 0.4, "Ukrainian": 0.3, "English": 0.3},
    ),
    "middle-eastern": Origin(
        female=("Fatima", "Layla", "Noor", "Mariam", "Yasmin", "Zahra", "Sana"),
        male=("Omar", "Yusuf", "Khalid", "Hamza", "Karim", "Ahmad", "Mustafa"),
        surnames=(
            "Al-Sayed", "Haddad", "Khalil", "Nasser", "Saleh", "Mansour",
            "Abdullah", "El-Amin", "Al-Hashimi", "Ahmadi", "Rahimi", "Hakimi",
            "Noori",
        ),
        languages={"Arabic": 0.45, "Dari": 0.2, "Pashto": 0.1, "English": 0.25},
    ),
    "vietnamese": Origin(
        female=("Linh", "Ngọc", "Thảo", "Trang", "Mai", "Hương", "Anh", "Vy"),
        male=("Minh", "Huy", "Khoa", "Bảo", "Đức", "Tuấn", "Quang", "Khải"),
        surnames=(
            "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
            "Đặng", "Bùi", "Đỗ",
        ),
        languages={"Vietnamese": 0.6, "English": 0.4},
    ),
    "korean": Origin(
        female=("Ji-woo", "Seo-yeon", "Ha-eun", "Ye-jin", "Min-seo", "Soo-ah"),
        male=("Min-jun", "Seo-jun", "Do-yun", "Ji-ho", "Hyun-woo", "Joon"),
        surnames=("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang"),
        languages={"Korean": 0.5, "English": 0.5},
    ),
    "chinese": Origin(
        female=("Mei", "Xin", "Jia", "Lan", "Yan", "Xiaoling", "Yue"),
        male=("Hao", "Wei", "Jun", "Ming", "Zihan", "Yichen", "Bo"),
        surnames=("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu"),
        languages={"Mandarin": 0.45, "Cantonese": 0.1, "English": 0.45},
    ),
    "nepali": Origin(
        female=("Sita", "Anjali", "Puja", "Sabina", "Bishnu", "Kamala"),
        male=("Bishal", "Suraj", "Prakash", "Roshan", "Dil", "Hari"),
        surnames=(
            "Gurung", "Tamang", "Rai", "Limbu", "Sharma", "Adhikari", "Thapa",
            "Magar", "Subba", "Ghimire",
        ),
        languages={"Nepali": 0.75, "English": 0.25},
    ),
    "burmese": Origin(
        female=("Thiri", "Hnin", "Aye", "Naw", "Khin", "Mya"),
        male=("Zaw", "Kyaw", "Htet", "Aung", "Saw", "Thura"),
        surnames=("Htoo", "Paw", "Win", "Aung", "Thein", "Lian", "Thang", "Moo"),
        languages={"Burmese": 0.4, "Karen": 0.3, "English": 0.3},
    ),
    "south-asian": Origin(
        female=("Priya", "Ananya", "Diya", "Aditi", "Saanvi", "Kavya"),
        male=("Aarav", "Arjun", "Ishaan", "Rohan", "Vihaan", "Siddharth"),
        surnames=("Patel", "Shah", "Singh", "Kumar", "Reddy", "Iyer", "Desai"),
        languages={"Hindi": 0.2, "Gujarati": 0.15, "Telugu": 0.15, "English": 0.5},
    ),
    "filipino": Origin(
        female=("Angelica", "Kristine", "Maricel", "Jasmine", "Rosalie"),
        male=("Mark Anthony", "Jerome", "Rommel", "Paolo", "Ramon"),
        surnames=("Santos", "Bautista", "dela Cruz", "Villanueva", "Mendoza", "Aquino"),
        languages={"Tagalog": 0.3, "English": 0.7},
    ),
    "pacific": Origin(
        female=("Malia", "Leilani", "Losaline", "Mele", "Sina"),
        male=("Sione", "Tevita", "Manase", "Keoni", "Ioane"),
        surnames=("Tuilagi", "Faleolo", "Tupou", "Fifita", "Mahe", "Taufa", "Kabua"),
        languages={"Samoan": 0.25, "Tongan": 0.25, "Marshallese": 0.1, "English": 0.4},
    ),
    "native": Origin(
        female=("Winona", "Shandiin", "Kateri", "Dyani", "Tallulah"),
        male=("Ahiga", "Dakota", "Hania", "Kele", "Tokala"),
        surnames=(
            "Begay", "Yazzie", "Benally", "Tsosie", "Nez", "Etsitty", "Harjo",
            "Two Bulls", "Red Cloud", "Whitehorse",
        ),
        languages={"English": 0.9, "Navajo": 0.1},
    ),
}  # fmt: skip

# Which naming traditions a family of each race/ethnicity draws from.
ORIGIN_MIX: dict[RaceEthnicity, dict[str, float]] = {
    RaceEthnicity.HISPANIC: {"hispanic": 1.0},
    RaceEthnicity.BLACK: {
        "black-american": 0.55,
        "east-african": 0.3,
        "west-african": 0.15,
    },
    RaceEthnicity.WHITE: {
        "anglo": 0.55,
        "european": 0.15,
        "slavic": 0.15,
        "middle-eastern": 0.15,
    },
    RaceEthnicity.ASIAN: {
        "vietnamese": 0.25,
        "korean": 0.2,
        "chinese": 0.15,
        "nepali": 0.15,
        "burmese": 0.1,
        "south-asian": 0.1,
        "filipino": 0.05,
    },
    RaceEthnicity.PACIFIC_ISLANDER: {"pacific": 1.0},
    RaceEthnicity.AMERICAN_INDIAN: {"native": 0.7, "anglo": 0.15, "hispanic": 0.15},
    RaceEthnicity.TWO_OR_MORE: {
        "anglo": 0.4,
        "black-american": 0.3,
        "hispanic": 0.2,
        "korean": 0.05,
        "filipino": 0.05,
    },
}
