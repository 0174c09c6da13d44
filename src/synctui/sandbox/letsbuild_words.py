"""The word pools of the LetsBuild world (places, people, companies, roles, form and point
subjects) and the small generators that draw from them: template slots, GUIDs, phone
numbers. Plain data, so that the world's engine (`letsbuild_seed`) reads as behaviour.
"""

from __future__ import annotations

import random

PLACES = (
    "Harbour Bay", "Riverside", "Kaaistraat", "St. Anne's", "Meadowbrook", "Northgate",
    "Station Square", "Linden Park", "Canal Wharf", "Eastfield", "Quayside", "Parkview",
    "Old Brewery", "Ringvaart", "Westpoort", "Greenway", "Millbrook", "Scheldekaai",
    "Zuidpark", "Beaumont", "Kingsmead", "Ashford Road", "Leopold", "Waterfront",
    "Hillcrest", "Vlaamse Kaai", "Stadspark", "Tivoli", "Oosterweel", "Broadmarsh",
    "Elmwood", "Marina", "Noorderlicht", "Clarendon", "Citadel", "Foundry Lane",
    "Kanaalzone", "Wilhelmina", "Jubilee", "Sint-Pieters",
)  # fmt: skip
KINDS = (
    "Tower", "Residences", "Offices", "Primary School Extension", "Care Home",
    "Logistics Hub", "Mixed-Use Development", "Apartments Block C", "Lofts",
    "Library Refurbishment", "Sports Centre", "Hotel", "Medical Centre", "Redevelopment",
    "Bridge Renovation", "Data Centre", "Student Housing", "Business Park Unit 4",
    "Parking Garage", "Fire Station", "Social Housing Phase 2", "Retail Park",
    "Swimming Pool Renovation", "Campus Building B", "Rail Depot",
)  # fmt: skip
# (city, country, zip codes, streets)
CITIES = (
    ("Antwerp", "BE", ("2000", "2018", "2030", "2060"), ("Kaaistraat", "Londenstraat", "Italiëlei", "Noorderlaan")),
    ("Ghent", "BE", ("9000", "9040", "9050"), ("Kortrijksesteenweg", "Dok-Noord", "Coupure Links")),
    ("Brussels", "BE", ("1000", "1030", "1050"), ("Rue de la Loi", "Avenue Louise", "Boulevard Lambermont")),
    ("Leuven", "BE", ("3000", "3010"), ("Tiensesteenweg", "Vaartkom", "Diestsevest")),
    ("Mechelen", "BE", ("2800",), ("Battelsesteenweg", "Nekkerspoel")),
    ("Rotterdam", "NL", ("3011 AB", "3072 AP", "3014 DA"), ("Wilhelminakade", "Coolsingel", "Kop van Zuid")),
    ("Utrecht", "NL", ("3511 CE", "3521 AZ"), ("Croeselaan", "Stationsplein", "Vaartsche Rijn")),
    ("Amsterdam", "NL", ("1011 AC", "1019 GM"), ("Oostelijke Handelskade", "Prins Hendrikkade")),
    ("Lille", "FR", ("59000", "59800"), ("Rue Nationale", "Boulevard de la Liberté")),
    ("Manchester", "GB", ("M1 2HF", "M3 4LZ", "M15 4PS"), ("Deansgate", "Oxford Road", "Great Ancoats Street")),
    ("Bristol", "GB", ("BS1 4DJ", "BS2 0JA"), ("Temple Way", "Harbourside", "Cheese Lane")),
)  # fmt: skip
FIRST_NAMES = (
    "Pieter", "Sofie", "Jan", "Emma", "Tom", "Lotte", "James", "Sarah", "Lucas", "Camille",
    "Ahmed", "Nina", "Wouter", "Eline", "Bram", "Julie", "Daan", "Fleur", "Oliver", "Hannah",
    "Thomas", "Chloé", "Koen", "Ines", "Mehmet", "Laura", "Stijn", "Anouk", "Ruben", "Marie",
    "Jonas", "Elif", "David", "Charlotte", "Sander", "Amélie", "Youssef", "Lisa", "Niels", "Grace",
)  # fmt: skip
LAST_NAMES = (
    "Claes", "Peeters", "Janssens", "Wouters", "Maes", "De Smet", "Carter", "Hughes",
    "Dubois", "Lefebvre", "Benali", "Vermeulen", "Jacobs", "Mertens", "Willems", "Goossens",
    "de Vries", "van Dijk", "Bakker", "Visser", "Smith", "Taylor", "Martin", "Bernard",
    "Yilmaz", "Van den Broeck", "Desmet", "Hermans", "Verhoeven", "O'Brien", "Evans", "Lambert",
)  # fmt: skip
# (company, index of its home in CITIES)
COMPANIES = (
    ("Van Damme Bouw NV", 1), ("Kempen Installaties BV", 0), ("Northline Scaffolding Ltd", 9),
    ("Atelier Noord Architecten", 0), ("Delta Electrical Services", 10),
    ("Stroobants Dakwerken", 4), ("Bright Glass & Façades", 2), ("Mercator Engineering", 0),
    ("Groen Landscaping", 6), ("Vandenberghe HVAC", 1), ("Castle Concrete Ltd", 10),
    ("Maes & Zonen Schrijnwerkerij", 3), ("Brickfield Masonry", 9), ("Aquaflow Plumbing", 5),
    ("Veritas Fire Protection", 2), ("Dubois Peinture SARL", 8), ("Hollandse Betonbouw BV", 5),
    ("Lumen Lighting Contractors", 7), ("Steelframe Structures", 6), ("Coolsaet Vloeren", 1),
)  # fmt: skip
COMPANY_NAMES = tuple(name for name, _ in COMPANIES)
TLD = {"BE": "be", "NL": "nl", "FR": "fr", "GB": "co.uk"}
ROLES = (
    "Site manager", "Project manager", "Site engineer", "Safety coordinator",
    "Quality inspector", "Foreman", "Architect", "Subcontractor", "Client representative",
    "Document controller", "MEP coordinator", "Structural engineer",
)  # fmt: skip
FORM_SUBJECTS = (
    (
        "Concrete pour inspection – slab {level} zone {zone}",
        "Formwork check before pour – core {core}",
        "Rebar inspection – {level} columns {grid}",
        "Pre-handover quality check – apartment {apt}",
        "Window installation check – {facade} façade",
        "Waterproofing inspection – roof terrace",
        "Screed flatness check – {level}",
        "Masonry quality check – {facade} elevation",
        "Fire door inspection – stair core {core}",
        "MEP first-fix inspection – {level}",
    ),
    (
        "Daily safety walk – {level}",
        "Scaffold inspection – {facade} elevation",
        "Weekly toolbox talk – {topic}",
        "Hot work permit – roof",
        "Crane lift plan check – zone {zone}",
        "Edge protection check – {level}",
        "Excavation inspection – zone {zone}",
        "Site induction – new subcontractor",
        "Fire extinguisher check – site cabins",
        "PPE compliance check – {level}",
    ),
    (
        "Waste segregation check – site compound",
        "Noise and dust monitoring – week {week}",
        "Fuel storage inspection",
        "Wheel wash and road cleanliness check",
        "Tree protection zone check – {facade} boundary",
        "Water runoff inspection – zone {zone}",
        "Energy and water meter readings – week {week}",
        "Spill kit inspection – zone {zone}",
    ),
)
POINT_SUBJECTS = (
    "Missing fire stopping at riser {riser}", "Cracked tile in bathroom {room}",
    "Paint damage on corridor wall – {level}", "Door closer not adjusted – stair core {core}",
    "Exposed rebar at column {grid}", "Missing handrail on stair {n}",
    "Sealant gap around window W-{w}", "Stained ceiling tile – room {room}",
    "Socket cover missing – apartment {apt}", "Insulation gap at parapet – {facade} façade",
    "Scratched glazing – shopfront unit {n}", "Skirting board loose – apartment {apt}",
    "Emergency light not working – {level} corridor", "Drainage gully blocked – car park bay {bay}",
    "Fire damper access hatch missing – {level}", "Uneven floor screed – room {room}",
    "Cable tray not earthed – plant room", "Missing fire exit signage – {level}",
    "Water ingress at window head – apartment {apt}", "Balustrade glass chipped – balcony {apt}",
    "Grout missing in shower – apartment {apt}", "Radiator bracket loose – room {room}",
    "Gap under fire door – stair core {core}", "Damaged kerb at entrance {n}",
)  # fmt: skip
FORM_LISTS = ("Quality checklists", "Safety inspections", "Environmental checks")
LEVELS = ("Level 1", "Level 2", "Level 3", "Level 4", "Level 5", "Ground floor", "Basement -1")
SLOTS = {
    "level": lambda r: r.choice(LEVELS),
    "zone": lambda r: r.choice("ABCDE"),
    "core": lambda r: r.choice("AB"),
    "grid": lambda r: f"{r.choice('ABCDEFG')}{r.randint(1, 9)}",
    "apt": lambda r: f"{r.randint(0, 6)}.{r.randint(1, 14):02d}",
    "room": lambda r: f"{r.randint(0, 5)}.{r.randint(1, 30):02d}",
    "facade": lambda r: r.choice(("north", "south", "east", "west")),
    "topic": lambda r: r.choice(("working at height", "manual handling", "housekeeping", "electrical safety")),
    "week": lambda r: str(r.randint(38, 47)),
    "riser": lambda r: f"{r.randint(1, 4)}{r.choice('AB')}",
    "n": lambda r: str(r.randint(1, 6)),
    "w": lambda r: str(r.randint(1, 48)),
    "bay": lambda r: str(r.randint(1, 120)),
}  # fmt: skip


class Slots(dict):
    """Fills `{placeholder}`s on demand so a template only pays for the slots it uses."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        value = SLOTS[key](self.rng)
        self[key] = value
        return value


def new_guid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


def phone_number(rng: random.Random, country: str) -> str:
    d = lambda k: "".join(str(rng.randint(0, 9)) for _ in range(k))  # noqa: E731
    if country == "BE":
        return f"+32 4{rng.randint(70, 99)} {d(2)} {d(2)} {d(2)}"
    if country == "NL":
        return f"+31 6 {d(4)} {d(4)}"
    if country == "FR":
        return f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}"
    return f"+44 7{d(3)} {d(6)}"
