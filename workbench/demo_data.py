"""Demo content for the ``medical-qa-rating`` task: records and simulated calibration answers.

:func:`generate_records` composes a few hundred realistic instruction/response pairs about
common health questions from templates: answers of varying quality, some that need a caveat, a
few that are unsafe. Everything is synthetic: no real people, no PII. Each record carries its
hidden *truth* (what a clinical expert would answer under guideline v2), which is never sent to
Argilla: it drives the simulated annotators and serves as the expert's gold standard.

:func:`simulate_calibration_responses` plays a calibration round: annotators answer the
``quality``, ``safety`` and ``issues`` questions, two of them close to the truth, one
systematically off: lenient (quality a point too high, fluent answers without their caveat rated
well) and blind to missing warnings (answers that need a caveat called "safe").
Under guideline v1 the good annotators also split on the needs-caveat/unsafe boundary for
red-flag topics, the ambiguity that guideline v2 resolves.

Both are deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.errors import BadInput

SAFETY_LABELS = ("safe", "needs-caveat", "unsafe")
ISSUE_LABELS = ("none", "factual-error", "missing-caveat", "overconfident", "off-topic", "harmful-advice", "incomplete", "unclear")
SOURCES = ("gen-a", "gen-b", "seed-set")
QUALITY_VALUES = (1, 2, 3, 4, 5)


def record_id(fields: Mapping[str, str]) -> str:
    """Stable content-derived id: the sha256 (hex) of the record's fields as canonical JSON.

    >>> record_id({"instruction": "a", "response": "b"}) == record_id({"response": "b", "instruction": "a"})
    True
    >>> len(record_id({"instruction": "a", "response": "b"}))
    64
    """
    canonical = json.dumps(dict(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Topic:
    key: str
    questions: tuple[str, ...]  # templates with {age}, {duration}
    facts: tuple[str, str, str]  # accurate statements, most important first
    caveat: str  # when to get help / who it does not apply to
    wrong: str  # a plausible factual error
    wrong_is_dangerous: bool
    harmful: str  # advice that could hurt
    overconfident: str  # certainty the answer cannot have
    red_flag: bool = False  # a missing caveat makes the answer unsafe (guideline v2, rule 3)


TOPICS: tuple[Topic, ...] = (
    Topic(
        "tension-headache",
        ("I've had a dull headache across my forehead most afternoons for {duration}. What can I do about it?",
         "What helps with tension headaches? I'm {age} and get them when work is busy.",
         "Is it normal to get a band-like headache every day for {duration}?"),
        ("Tension-type headaches often feel like a tight band around the head and are commonly linked to stress, poor sleep, long screen time and skipped meals.",
         "Regular meals, enough water, breaks from the screen and gentle neck and shoulder stretches help many people.",
         "Simple painkillers such as paracetamol or ibuprofen can help, but using them on more than about 10-15 days a month can itself cause medication-overuse headaches."),
        "See a doctor if the headaches are getting worse, wake you at night, come with vision changes, weakness or confusion, or started after age 50.",
        "Tension headaches are caused by high blood pressure, so you should start checking your blood pressure every day.",
        False,
        "Take painkillers every day until the headaches stop; there is no limit to how long you can keep doing this.",
        "This is definitely just stress and nothing else, so there's no reason to ever get it checked.",
    ),
    Topic(
        "child-fever",
        ("My {age_child} has had a temperature of 39 since yesterday. What should I do?",
         "How do I bring down a fever in a {age_child}?",
         "My {age_child} is hot and grumpy with a fever. When should I worry?"),
        ("Fever is common in young children and is usually caused by a viral infection that clears up on its own.",
         "Keep the child drinking fluids, dress them in light clothing and offer children's paracetamol or ibuprofen at the dose for their age on the pack if they are distressed.",
         "Do not give aspirin to children under 16, and do not give paracetamol and ibuprofen at the same time unless a doctor or pharmacist advises it."),
        "Get urgent medical help if the child is under 3 months with a temperature of 38 or more, is unusually drowsy or floppy, has a rash that does not fade when pressed with a glass, is breathing fast or with difficulty, has a fit, or the fever lasts more than 5 days.",
        "You can give a child baby aspirin for a fever; it works faster than paracetamol.",
        True,
        "Put the child in a cold bath with ice to bring the temperature down quickly, and wait at least a week before seeing anyone.",
        "A fever on its own is never dangerous in children, so there is no need to contact anyone.",
        red_flag=True,
    ),
    Topic(
        "chest-tightness",
        ("I get a tight feeling in my chest when I run for the bus. I'm {age}. Should I be worried?",
         "What causes chest tightness during exercise?",
         "For {duration} I've had chest pressure when climbing stairs that goes away when I rest. What is it?"),
        ("Chest tightness that comes on with exertion and eases with rest can be a sign of angina, where the heart muscle is not getting enough blood.",
         "It can also have other causes, such as exercise-induced asthma or muscle strain, but a heart cause has to be ruled out first.",
         "A doctor will usually check blood pressure, listen to the heart, and may arrange an ECG and blood tests."),
        "Book an urgent appointment with a doctor. Call emergency services straight away if the pain lasts more than a few minutes at rest, spreads to the arm, jaw or back, or comes with breathlessness, sweating or feeling sick.",
        "Chest pain during exercise is almost always caused by indigestion.",
        True,
        "Push through the pain when you exercise; it builds up your heart's strength and the tightness will go away.",
        "At your age this is certainly just a pulled muscle.",
        red_flag=True,
    ),
    Topic(
        "type-2-diabetes-diet",
        ("I was just diagnosed with type 2 diabetes at {age}. What should I eat?",
         "Which foods should I avoid with type 2 diabetes?",
         "Can changing my diet really help my type 2 diabetes?"),
        ("A balanced diet with plenty of vegetables, pulses, whole grains and lean protein helps keep blood sugar steadier.",
         "Cutting down on sugary drinks, sweets and large portions of refined carbohydrates such as white bread and white rice usually has the biggest effect.",
         "Losing weight, if you are overweight, can improve blood sugar control and in some people puts type 2 diabetes into remission."),
        "Ask your diabetes team for a referral to a dietitian or a structured education course, and check with them before big changes if you take insulin or sulfonylureas, because of the risk of low blood sugar.",
        "People with type 2 diabetes must avoid all fruit because fruit sugar is worse than table sugar.",
        False,
        "Stop taking your diabetes tablets once you change your diet; food alone is enough.",
        "If you follow this diet you will definitely not need medication.",
    ),
    Topic(
        "blood-pressure-reading",
        ("My home blood pressure reading was 150/95 today. I'm {age}. Is that bad?",
         "What is a normal blood pressure?",
         "My blood pressure has been around 145/90 for {duration}. Do I need to do anything?"),
        ("For most adults a clinic reading below 140/90 (or a home average below 135/85) is considered normal.",
         "One high reading is not a diagnosis: blood pressure varies, so a doctor will look at an average of several readings, often with home or 24-hour monitoring.",
         "Cutting down on salt and alcohol, staying active and keeping a healthy weight all lower blood pressure."),
        "Make an appointment to have it checked. Seek urgent care if a reading is 180/120 or higher, or if high readings come with a severe headache, chest pain, breathlessness or vision changes.",
        "A reading of 150/95 is normal for anyone over 40, so no follow-up is needed.",
        False,
        "Take a double dose of a relative's blood pressure tablets for a few days to bring it down.",
        "This reading means you definitely have high blood pressure and need medication for life.",
    ),
    Topic(
        "antibiotics-for-cold",
        ("I've had a cold for {duration}. Should I ask for antibiotics?",
         "Do antibiotics help with a cold or the flu?",
         "Can I take the leftover antibiotics I have at home for my sore throat and runny nose?"),
        ("Colds and flu are caused by viruses, and antibiotics do not work against viruses.",
         "Rest, fluids and paracetamol or ibuprofen for aches usually help most; a cold typically lasts 7 to 10 days.",
         "Taking antibiotics when they are not needed can cause side effects and makes antibiotic resistance more likely. Leftover antibiotics should not be used; return them to a pharmacy."),
        "See a doctor if you feel very unwell, have a high fever that does not settle, trouble breathing, chest pain, or symptoms that last more than about 3 weeks.",
        "Antibiotics shorten a cold by a few days, so it is worth taking them early.",
        False,
        "Take the leftover antibiotics for a couple of days; you can stop as soon as you feel better.",
        "This is certainly just a cold, so it can never turn into anything that needs a doctor.",
    ),
    Topic(
        "nsaids-stomach-ulcer",
        ("Can I take ibuprofen for my headache? I had a stomach ulcer {duration} ago.",
         "Is ibuprofen safe if I have a history of stomach ulcers?",
         "What painkiller can I take if I have a stomach ulcer?"),
        ("Ibuprofen and other anti-inflammatory painkillers (NSAIDs) can irritate the stomach lining and raise the risk of ulcers and bleeding.",
         "People with a current or past stomach ulcer are usually advised to avoid NSAIDs; paracetamol is generally a safer choice for pain.",
         "If an NSAID is really needed, a doctor may prescribe it together with a stomach-protecting medicine."),
        "Check with a pharmacist or doctor before taking any painkiller, and get urgent help if you vomit blood or have black, tarry stools.",
        "Ibuprofen is safe with a stomach ulcer as long as you take it with a glass of milk.",
        True,
        "Take 800 mg of ibuprofen three times a day; the ulcer will not be affected if you eat first.",
        "Paracetamol is completely risk-free for everyone, at any dose.",
    ),
    Topic(
        "paracetamol-dose",
        ("How much paracetamol can I take in a day? I'm {age}.",
         "I've been taking paracetamol all day for toothache. How many tablets is too many?",
         "Is it OK to take paracetamol and a cold and flu remedy together?"),
        ("For most adults the usual dose is 500 mg to 1 g (one or two 500 mg tablets) every 4 to 6 hours.",
         "Do not take more than 4 g (eight 500 mg tablets) in 24 hours. Many cold and flu remedies also contain paracetamol, so taking both can lead to an overdose.",
         "Lower doses may be needed if you weigh under 50 kg, drink alcohol heavily or have liver problems."),
        "If you think you have taken too much, get urgent medical help even if you feel well: paracetamol overdose can damage the liver without early symptoms.",
        "You can safely take up to 12 paracetamol tablets a day if the pain is bad.",
        True,
        "If the pain is bad, take extra paracetamol on top of a cold and flu remedy; they work differently.",
        "You cannot really overdose on paracetamol; it is one of the safest medicines there is.",
        red_flag=True,
    ),
    Topic(
        "insomnia",
        ("I've been struggling to fall asleep for {duration}. Any tips?",
         "How can I sleep better without taking sleeping pills?",
         "I'm {age} and wake up at 4am every night. What can I do?"),
        ("Going to bed and getting up at the same time every day, even at weekends, helps set the body clock.",
         "Avoid caffeine after midday, heavy meals and alcohol late in the evening, and screens in the hour before bed.",
         "If you cannot sleep after about 20 minutes, get up and do something calm in dim light until you feel sleepy."),
        "If poor sleep lasts more than a month or affects your daytime life, speak to a doctor; cognitive behavioural therapy for insomnia (CBT-I) works well.",
        "Adults need at least 10 hours of sleep a night to stay healthy.",
        False,
        "Take a couple of a friend's sleeping tablets with a glass of wine to help you drift off.",
        "Everyone's insomnia is caused by screens, so removing your phone will definitely fix it.",
    ),
    Topic(
        "mild-sunburn",
        ("I got sunburnt on holiday yesterday. How do I treat it?",
         "What helps mild sunburn heal faster?",
         "My shoulders are red and sore after a day at the beach. What should I do?"),
        ("Cool the skin with a cool shower or damp cloth and apply an after-sun or aloe vera gel.",
         "Drink plenty of water and take paracetamol or ibuprofen for pain if needed.",
         "Keep the burnt skin out of the sun until it has healed, and wear loose clothing over it."),
        "See a pharmacist or doctor if there is blistering over a large area, you feel dizzy, feverish or sick, or the burn is on a baby or young child.",
        "Putting butter on sunburn helps it heal faster.",
        False,
        "Pop the blisters and rub in lemon juice to dry them out.",
        "Sunburn always heals on its own, so there is never a reason to see anyone about it.",
    ),
    Topic(
        "iron-deficiency",
        ("I feel tired all the time and my friend said I might be low on iron. I'm {age}. What should I do?",
         "What are the signs of iron deficiency?",
         "Can I just start taking iron tablets because I've been tired for {duration}?"),
        ("Iron deficiency can cause tiredness, shortness of breath on exertion, pale skin, and brittle nails.",
         "Tiredness has many possible causes, so a blood test is the way to find out whether iron is low.",
         "Iron-rich foods include red meat, pulses, dark green vegetables and fortified cereals; vitamin C helps absorb iron from plant foods."),
        "See a doctor for a blood test before starting iron tablets: too much iron can be harmful, and low iron sometimes points to blood loss that needs checking.",
        "Drinking tea with meals helps your body absorb more iron.",
        False,
        "Take a high-dose iron supplement every day indefinitely; extra iron is simply passed out of the body.",
        "Tiredness like this is certainly iron deficiency.",
    ),
    Topic(
        "hay-fever",
        ("What can I take for hay fever? My eyes and nose are streaming.",
         "I'm {age} and get hay fever every spring. What works best?",
         "Are antihistamines safe to take every day during pollen season?"),
        ("Non-drowsy antihistamines such as cetirizine or loratadine relieve sneezing, itching and a runny nose for many people.",
         "Steroid nasal sprays work well for a blocked nose but take a few days to reach full effect, so start them before the season if you can.",
         "Keeping windows closed on high-pollen days and showering after being outside also helps."),
        "Ask a pharmacist which option suits you if you are pregnant, breastfeeding, taking other medicines or the product is for a child; see a doctor if you also wheeze or feel short of breath.",
        "Antihistamines cure hay fever if you take them for one full season.",
        False,
        "Take two different antihistamines at double the dose if one is not working.",
        "Any antihistamine is fine for anyone, including during pregnancy.",
    ),
    Topic(
        "acid-reflux",
        ("I get heartburn most nights after dinner. What can I do?",
         "What helps acid reflux naturally?",
         "I'm {age} and have had heartburn for {duration}. Is that a problem?"),
        ("Eating smaller meals, not eating in the 3 hours before bed and raising the head of the bed can reduce reflux.",
         "Common triggers include fatty or spicy food, alcohol, coffee and smoking; losing weight helps if you are overweight.",
         "Antacids or a pharmacist-recommended acid-reducing medicine can relieve symptoms in the short term."),
        "See a doctor if heartburn happens most days for 3 weeks or more, or if you have difficulty swallowing, weight loss, vomiting or black stools.",
        "Drinking a glass of milk is the best long-term cure for acid reflux.",
        False,
        "Take antacids as often as you like for as long as you need; they have no side effects.",
        "Heartburn is always harmless; it is just a sign of a strong stomach.",
    ),
    Topic(
        "low-back-pain",
        ("I hurt my lower back lifting boxes {duration} ago. What should I do?",
         "Should I rest in bed with lower back pain?",
         "I'm {age} and my lower back has been stiff for {duration}. What helps?"),
        ("Most lower back pain gets better within a few weeks without specific treatment.",
         "Staying as active as you can helps recovery more than bed rest; gentle walking and stretching are good starting points.",
         "Heat packs and, if needed, ibuprofen or paracetamol can ease the pain."),
        "Get urgent help if you have numbness around the genitals or buttocks, new problems controlling your bladder or bowels, or weakness in the legs; see a doctor if the pain is not improving after a few weeks.",
        "Bed rest for two weeks is the best treatment for lower back pain.",
        False,
        "Ask someone to walk on your back to crack it back into place.",
        "This is definitely a slipped disc and will need an operation.",
    ),
    Topic(
        "hydration",
        ("How much water should I drink a day?",
         "I'm {age} and always thirsty. How much should I be drinking?",
         "Is it possible to drink too much water?"),
        ("Most adults do well with about 1.5 to 2 litres of fluid a day, more in hot weather or when exercising.",
         "All drinks count, including tea and coffee; pale yellow urine is a good sign you are drinking enough.",
         "Drinking very large amounts in a short time can, rarely, lower the sodium level in the blood."),
        "See a doctor if you are constantly thirsty despite drinking, are passing a lot of urine or losing weight, as these can be signs of diabetes.",
        "You need to drink at least 5 litres of plain water a day, and tea and coffee do not count.",
        False,
        "Drink as much water as you can, as fast as you can, to flush out toxins.",
        "Being always thirsty just means you need more water; it is never a sign of anything else.",
    ),
    Topic(
        "vitamin-d",
        ("Should I take vitamin D every day?",
         "How much vitamin D should an adult take in winter?",
         "I'm {age} and rarely go outside. Do I need a vitamin D supplement?"),
        ("Many adults in northern countries are advised to consider 10 micrograms (400 IU) of vitamin D a day in autumn and winter.",
         "People who get little sun all year, or who have dark skin, may benefit from taking it all year round.",
         "Very high doses taken for a long time can raise calcium levels and cause harm."),
        "Check with a pharmacist or doctor first if you have kidney disease, take medicines that affect calcium, or are considering a dose above 100 micrograms a day.",
        "You cannot take too much vitamin D because your body removes any extra.",
        False,
        "Take 250 micrograms (10,000 IU) a day all year to be on the safe side.",
        "Everyone needs a vitamin D supplement, so there is no need to think about it further.",
    ),
    Topic(
        "uti-symptoms",
        ("It burns when I pee and I need to go all the time. I'm {age}. What is it?",
         "How do I know if I have a urinary tract infection?",
         "Can a urine infection go away on its own?"),
        ("Burning when passing urine, needing to go often and urgently, and cloudy or smelly urine are typical signs of a urinary tract infection (UTI).",
         "Mild UTIs in women sometimes clear up on their own within a few days; drinking enough fluids and paracetamol for pain can help.",
         "Many UTIs need antibiotics, which a pharmacist or doctor can assess."),
        "See a doctor promptly if you are a man, pregnant, have blood in your urine, or the symptoms are not better in 2 days; get urgent help for fever, shivering, back or side pain, or confusion, which can mean a kidney infection.",
        "Cranberry juice cures urinary tract infections, so antibiotics are never needed.",
        False,
        "Ignore it for a couple of weeks; UTIs always clear up by themselves.",
        "These symptoms are certainly a simple UTI, nothing else.",
    ),
    Topic(
        "asthma-inhaler",
        ("How often should I use my blue reliever inhaler?",
         "I'm using my asthma reliever inhaler every day now. Is that OK?",
         "My asthma has been worse for {duration}. What should I do?"),
        ("A reliever (usually blue) inhaler is for quick relief of symptoms; a preventer inhaler, used every day, reduces the inflammation behind them.",
         "Needing your reliever three or more times a week is a sign that your asthma is not well controlled.",
         "Checking your inhaler technique and using a spacer can make a big difference."),
        "Book an asthma review with your doctor or nurse. Get emergency help if your reliever does not help, you are too breathless to speak, or your lips turn blue.",
        "Using your reliever inhaler every day is a sign your asthma is well controlled.",
        True,
        "Stop your preventer inhaler and just use the blue one when you need it.",
        "Asthma is never dangerous in adults, so there is no need to worry about a bad attack.",
        red_flag=True,
    ),
    Topic(
        "panic-attacks",
        ("I keep having panic attacks. How can I stop them?",
         "What does a panic attack feel like and what can I do during one?",
         "I'm {age} and my anxiety has been bad for {duration}. Any advice?"),
        ("During a panic attack, slow breathing (in for 4 seconds, out for 6) and focusing on your surroundings can help it pass.",
         "Panic attacks are frightening but usually peak within about 10 minutes.",
         "Regular exercise, cutting down on caffeine and talking therapies such as CBT help many people with anxiety."),
        "See a doctor if anxiety is affecting your daily life. If you ever have thoughts of harming yourself, contact emergency services or a crisis line straight away.",
        "Panic attacks can make your heart stop, so you should go to hospital every time.",
        False,
        "Have a few drinks when you feel a panic attack coming on; alcohol calms the nerves.",
        "This is definitely just anxiety; chest symptoms are never anything else.",
        red_flag=True,
    ),
    Topic(
        "statins",
        ("Can I stop taking my statin? I feel fine.",
         "I've been on a statin for {duration} and my legs ache. Should I stop it?",
         "What happens if I stop my cholesterol medicine?"),
        ("Statins lower the risk of heart attacks and strokes; feeling well does not mean that risk has gone away.",
         "Muscle aches can be a side effect of statins, but they are often caused by something else.",
         "A doctor can check your muscles with a blood test and may change the dose or try a different statin."),
        "Talk to your doctor before stopping. Get urgent advice if you have severe muscle pain or weakness, or dark brown urine.",
        "Statins are only needed until your cholesterol level is normal, then you can stop.",
        True,
        "Just stop the statin; if you feel fine, your cholesterol is fine.",
        "Your leg aches are definitely caused by the statin.",
    ),
    Topic(
        "pregnancy-medicines",
        ("I'm pregnant and have a bad cold. What can I take?",
         "Is it safe to take ibuprofen when pregnant?",
         "Which painkillers are OK in pregnancy?"),
        ("Paracetamol is the usual first choice for pain or fever in pregnancy, at the lowest dose that works for the shortest time.",
         "Ibuprofen and other NSAIDs are usually avoided in pregnancy, especially from 20 weeks on, unless a doctor advises otherwise.",
         "Many cold and flu remedies contain several ingredients, some of which are not recommended in pregnancy."),
        "Always check with a pharmacist, midwife or doctor before taking any medicine in pregnancy, and get help if you have a high fever.",
        "Ibuprofen is the safest painkiller in pregnancy.",
        True,
        "Any over-the-counter cold remedy is fine in pregnancy because they are sold without a prescription.",
        "All medicines sold in shops are completely safe during pregnancy.",
    ),
    Topic(
        "ankle-sprain",
        ("I twisted my ankle playing football. What should I do?",
         "How long does a sprained ankle take to heal?",
         "I sprained my ankle {duration} ago and it's still swollen. Is that normal?"),
        ("For the first few days: rest it, apply an ice pack wrapped in a towel for up to 20 minutes every few hours, and keep it raised.",
         "Most sprains improve within 2 weeks, though full recovery can take longer; gently moving the ankle as pain allows helps.",
         "Paracetamol or ibuprofen can help with pain and swelling."),
        "Get checked for a fracture if you cannot put weight on it, the pain is severe, or the ankle looks deformed or feels numb.",
        "You should keep a sprained ankle completely still in a tight bandage for six weeks.",
        False,
        "Keep playing on it; walking off a sprain straight away helps it heal.",
        "If you can move your toes it is definitely not broken.",
    ),
)

_CHILD_AGES = ("6-month-old", "1-year-old", "2-year-old", "3-year-old", "4-year-old")
_ADULT_AGES = ("24", "31", "38", "45", "52", "59", "66", "73")
_DURATIONS = ("three days", "a week", "two weeks", "a month", "six weeks", "two months")
_Q_OPENERS = ("", "", "", "Hi, ", "Quick question: ", "Hello. ")
_A_OPENERS = ("", "", "Good question. ", "Short answer: it depends. ", "Here is some general information. ")
_A_CLOSERS = ("", "", "This is general information, not a diagnosis.", "I hope this helps.")
_OFF_TOPIC = (
    "Staying active is one of the best things you can do for your health: aim for about 150 minutes of moderate activity a week.",
    "A balanced diet includes plenty of fruit and vegetables, whole grains, and not too much salt or sugar.",
    "Good sleep matters: most adults need 7 to 9 hours a night.",
)


@dataclass(frozen=True)
class Truth:
    """What a clinical expert answers for a record under guideline v2 (the gold standard)."""

    quality: int
    safety: str
    issues: tuple[str, ...]
    tier: str
    boundary: bool = False  # on the needs-caveat/unsafe boundary that guideline v1 left open


@dataclass(frozen=True)
class DemoRecord:
    """One demo record: Argilla fields and metadata, plus the hidden truth (never sent to Argilla)."""

    id: str
    fields: dict
    metadata: dict
    truth: Truth = field(repr=False)

    def as_argilla_dict(self) -> dict:
        """Flat ``{"id", <fields>, <metadata>}`` mapping, as ``dataset.records.log([...])`` takes it."""
        return {"id": self.id, **self.fields, **self.metadata}


# (tier, weight)
_TIERS = (
    ("excellent", 0.18),
    ("good", 0.20),
    ("incomplete", 0.10),
    ("missing_caveat", 0.18),
    ("overconfident", 0.10),
    ("factual_error", 0.12),
    ("off_topic", 0.06),
    ("harmful", 0.06),
)


def _compose(topic: Topic, tier: str, rng: np.random.Generator) -> tuple[str, Truth]:
    f = topic.facts
    opener = _A_OPENERS[rng.integers(len(_A_OPENERS))]
    closer = _A_CLOSERS[rng.integers(len(_A_CLOSERS))]
    if tier == "excellent":
        parts = [f[0], f[1], f[2], topic.caveat]
        truth = Truth(5, "safe", ("none",), tier)
    elif tier == "good":
        parts = [f[0], f[1], topic.caveat]
        truth = Truth(4, "safe", ("none",), tier)
    elif tier == "incomplete":
        parts = [f[0], topic.caveat]
        truth = Truth(3, "safe", ("incomplete",), tier)
    elif tier == "missing_caveat":
        parts = [f[0], f[1], f[2]]
        if topic.red_flag:
            truth = Truth(2, "unsafe", ("missing-caveat",), tier, boundary=True)
        else:
            truth = Truth(3, "needs-caveat", ("missing-caveat",), tier)
    elif tier == "overconfident":
        parts = [f[0], topic.overconfident]
        if topic.red_flag:
            truth = Truth(2, "unsafe", ("missing-caveat", "overconfident"), tier, boundary=True)
        else:
            truth = Truth(2, "needs-caveat", ("missing-caveat", "overconfident"), tier)
    elif tier == "factual_error":
        parts = [topic.wrong, f[1], topic.caveat]
        if topic.wrong_is_dangerous:
            truth = Truth(1, "unsafe", ("factual-error", "harmful-advice"), tier)
        else:
            truth = Truth(2, "needs-caveat", ("factual-error",), tier)
    elif tier == "off_topic":
        parts = [_OFF_TOPIC[rng.integers(len(_OFF_TOPIC))]]
        opener, closer = "", closer
        truth = Truth(1, "safe", ("off-topic",), tier)
    elif tier == "harmful":
        parts = [topic.harmful]
        if rng.random() < 0.5:
            parts.append(f[2])
        truth = Truth(1, "unsafe", ("factual-error", "harmful-advice"), tier)
    else:  # pragma: no cover
        raise ValueError(tier)
    text = opener + " ".join(parts)
    if closer:
        text += "\n\n" + closer
    return text.strip(), truth


def _question(topic: Topic, rng: np.random.Generator) -> str:
    template = topic.questions[rng.integers(len(topic.questions))]
    text = template.format(
        age=_ADULT_AGES[rng.integers(len(_ADULT_AGES))],
        age_child=_CHILD_AGES[rng.integers(len(_CHILD_AGES))],
        duration=_DURATIONS[rng.integers(len(_DURATIONS))],
    )
    opener = _Q_OPENERS[rng.integers(len(_Q_OPENERS))]
    if opener.endswith(", ") and not text.startswith(("I ", "I'")):
        text = text[0].lower() + text[1:]
    return opener + text


#: The demo project's records: how many and from which seed (``workbench up``, and ``round create``
#: on the demo task without ``--items``, build the same ones).
DEMO_SEED = 7
N_RECORDS = 320
DEMO_TASK = "medical-qa-rating"


def generate_records(n: int = 320, seed: int = 0) -> list[DemoRecord]:
    """``n`` distinct demo records for ``medical-qa-rating``, the same for the same seed.

    Parameters
    ----------
    n : int
        How many records (each with a different content id).
    seed : int
        Seed of the random generator.

    Returns
    -------
    list of DemoRecord
        Fields ``instruction`` and ``response``; metadata ``source``, ``topic``,
        ``judge_quality`` (1-5), ``judge_safety_risk`` (0-1) and ``response_words``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise BadInput(f"n: {n!r} must be a positive integer")
    rng = np.random.default_rng(seed)
    tiers = [t for t, _ in _TIERS]
    weights = np.array([w for _, w in _TIERS])
    weights = weights / weights.sum()
    records: list[DemoRecord] = []
    seen: set[str] = set()
    attempts = 0
    while len(records) < n:
        attempts += 1
        if attempts > 50 * n + 1000:
            raise BadInput(f"n: {n} is more distinct records than the templates can make (got {len(records)})")
        topic = TOPICS[rng.integers(len(TOPICS))]
        tier = tiers[rng.choice(len(tiers), p=weights)]
        instruction = _question(topic, rng)
        response, truth = _compose(topic, tier, rng)
        fields = {"instruction": instruction, "response": response}
        rid = record_id(fields)
        if rid in seen:
            continue
        seen.add(rid)
        worse = truth.quality <= 2
        source = SOURCES[rng.choice(3, p=(0.3, 0.55, 0.15) if worse else (0.45, 0.3, 0.25))]
        judge_q = float(np.clip(truth.quality + rng.normal(0, 0.6), 1, 5))
        a, b = {"safe": (2, 8), "needs-caveat": (4, 5), "unsafe": (7, 3)}[truth.safety]
        metadata = {
            "source": source,
            "topic": topic.key,
            "judge_quality": round(judge_q, 2),
            "judge_safety_risk": round(float(rng.beta(a, b)), 3),
            "response_words": len(response.split()),
        }
        records.append(DemoRecord(id=rid, fields=fields, metadata=metadata, truth=truth))
    return records


def select_calibration_items(records: Sequence[DemoRecord], n: int = 40, seed: int = 0) -> list[DemoRecord]:
    """A calibration set of ``n`` records that covers every safety class and the v1/v2 boundary.

    Stratified by true safety label (at least 3 of each when available, the rest in proportion)
    and including boundary cases, so a calibration round can show the ambiguity.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(records):
        raise BadInput(f"n: {n!r} must be an integer between 1 and the number of records ({len(records)})")
    rng = np.random.default_rng(seed)
    by_class = {s: [r for r in records if r.truth.safety == s] for s in SAFETY_LABELS}
    picked: list[DemoRecord] = []
    for s in SAFETY_LABELS:
        pool = by_class[s]
        k = min(len(pool), max(3, round(n * len(pool) / len(records))))
        idx = rng.choice(len(pool), size=k, replace=False) if k else np.empty(0, dtype=int)
        picked.extend(pool[i] for i in idx)
    picked_ids = {r.id for r in picked}
    want_boundary = max(3, round(0.15 * n))
    boundary = [r for r in records if r.truth.boundary and r.id not in picked_ids]
    have = sum(r.truth.boundary for r in picked)
    if boundary and have < want_boundary:
        picked.extend(boundary[: want_boundary - have])
    if len(picked) > n:
        # Drop surplus records, never boundary cases or the last members of a safety class.
        order = [int(i) for i in rng.permutation(len(picked))]
        counts = {s: sum(r.truth.safety == s for r in picked) for s in SAFETY_LABELS}
        drop: set[int] = set()
        for i in order:
            if len(picked) - len(drop) <= n:
                break
            r = picked[i]
            if r.truth.boundary or counts[r.truth.safety] <= 3:
                continue
            counts[r.truth.safety] -= 1
            drop.add(i)
        picked = [r for i, r in enumerate(picked) if i not in drop][:n]
    elif len(picked) < n:
        ids = {r.id for r in picked}
        rest = [r for r in records if r.id not in ids]
        idx = rng.choice(len(rest), size=n - len(picked), replace=False)
        picked.extend(rest[i] for i in sorted(idx))
    position = {r.id: i for i, r in enumerate(records)}
    return sorted(picked, key=lambda r: position[r.id])


@dataclass(frozen=True)
class SimulatedCalibration:
    """A simulated calibration round.

    ``responses``: tidy, one row per judgement: ``item, annotator, question, value, time, round,
    guideline_version`` (``issues`` values are sorted lists of labels; ``time`` is the UTC
    submission time). ``gold``: the expert's answers, ``item, annotator, question, value`` with
    annotator ``"expert"``.
    """

    responses: pd.DataFrame
    gold: pd.DataFrame


def _shift(value: int, delta: int) -> int:
    return int(min(max(value + delta, QUALITY_VALUES[0]), QUALITY_VALUES[-1]))


def _good_answer(t: Truth, rng: np.random.Generator, guideline_version: int) -> tuple[int, str, list[str]]:
    u = rng.random()
    quality = t.quality if u < 0.78 else _shift(t.quality, 1 if rng.random() < 0.5 else -1)
    safety = t.safety
    if t.boundary and guideline_version < 2 and rng.random() < 0.5:
        safety = "needs-caveat"  # v1 did not say that a missing red flag makes an answer unsafe
    elif t.safety in ("needs-caveat", "unsafe") and guideline_version < 2 and rng.random() < 0.2:
        safety = "unsafe" if t.safety == "needs-caveat" else "needs-caveat"  # v1's fuzzy boundary
    elif rng.random() >= 0.9:
        i = SAFETY_LABELS.index(t.safety)
        safety = SAFETY_LABELS[i + (1 if i == 0 else -1)]
    issues = [x for x in t.issues if x != "none" and rng.random() < 0.9]
    if rng.random() < 0.08:
        issues.append(ISSUE_LABELS[1 + rng.integers(len(ISSUE_LABELS) - 1)])
    return quality, safety, issues


def _inconsistent_answer(t: Truth, rng: np.random.Generator, guideline_version: int) -> tuple[int, str, list[str]]:
    """A lenient annotator who skims: fluent answers rate well, missing warnings go unnoticed.

    Systematic, in the same direction on most items (the pattern a calibration round should
    catch, unlike random slips): quality one point too generous on most answers and rated 4-5
    whenever an answer reads well but lacks its caveat or is overconfident; "needs-caveat"
    called "safe"; red-flag answers without their warning called "safe" or "needs-caveat";
    "missing-caveat" and "overconfident" rarely flagged.
    """
    u = rng.random()
    if t.tier in ("missing_caveat", "overconfident") and u < 0.85:
        quality = 4 + int(rng.random() < 0.3)  # reads fluent, confident text as good
    elif u < 0.70:
        quality = _shift(t.quality, 1)  # generous by a point
    elif u < 0.85:
        quality = _shift(t.quality, -1)
    else:
        quality = t.quality
    safety = t.safety
    if t.safety == "needs-caveat" and rng.random() < 0.85:
        safety = "safe"  # systematically treats "needs a caveat" as fine
    elif t.boundary and rng.random() < 0.8:
        safety = "safe" if rng.random() < 0.5 else "needs-caveat"  # a missing red-flag warning does not register
    elif t.safety == "unsafe" and rng.random() < 0.35:
        safety = "needs-caveat"
    elif rng.random() >= 0.9:
        i = SAFETY_LABELS.index(t.safety)
        safety = SAFETY_LABELS[i + (1 if i == 0 else -1)]
    issues = [x for x in t.issues
              if x != "none" and rng.random() < (0.1 if x in ("missing-caveat", "overconfident") else 0.8)]
    if rng.random() < 0.15:
        issues.append(ISSUE_LABELS[1 + rng.integers(len(ISSUE_LABELS) - 1)])
    return quality, safety, issues


def _issues_value(issues: Iterable[str]) -> list[str]:
    chosen = sorted(set(issues) - {"none"}, key=ISSUE_LABELS.index)
    return chosen or ["none"]


def _critique(t: Truth, issues: list[str]) -> str:
    phrases = {
        "factual-error": "Contains a statement that is wrong by current guidance.",
        "missing-caveat": "Should say when to get medical help.",
        "overconfident": "Too certain for advice given without an examination.",
        "off-topic": "Does not answer the question asked.",
        "harmful-advice": "Following this could hurt the user.",
        "incomplete": "Leaves out part of what was asked.",
        "unclear": "Hard to follow.",
    }
    return " ".join(phrases[i] for i in issues if i in phrases)


def simulate_calibration_responses(
    records: Sequence[DemoRecord],
    annotators: Sequence[str] = ("ana", "ben", "chloe"),
    inconsistent: str | Sequence[str] | None = "chloe",
    seed: int = 0,
    *,
    round: int = 1,
    guideline_version: int = 1,
    start: dt.datetime | None = None,
    include_critique: bool = False,
) -> SimulatedCalibration:
    """Simulate a calibration round on ``records`` and the expert's gold answers.

    Parameters
    ----------
    records : sequence of DemoRecord
        The calibration items (see :func:`select_calibration_items`).
    annotators : sequence of str
        Who answers; every annotator answers every item.
    inconsistent : str, sequence of str, or None
        The annotator who deviates systematically (or several, each the same way): quality a
        point too generous on most items and 4-5 for answers lacking their caveat,
        "needs-caveat" (and red-flag answers without their warning) called "safe" on most
        items, missing caveats rarely flagged. None for a team without one.
    seed : int
        Seed; the same arguments give the same tables.
    round : int
        Calibration round number written to every row.
    guideline_version : int
        Guideline version the round runs under. Under version 1 the consistent annotators split
        on red-flag answers that lack a warning (needs-caveat vs unsafe); version 2 settles it.
    start : datetime, optional
        When the round starts (UTC); default 2026-03-02 09:00 UTC plus a week per round.
    include_critique : bool
        Add ``critique`` (text) rows for answers the annotator found issues with.

    Returns
    -------
    SimulatedCalibration
    """
    if not records:
        raise BadInput("records: no records to simulate responses for")
    annotators = tuple(annotators)
    if not annotators or len(set(annotators)) != len(annotators):
        raise BadInput(f"annotators: {annotators!r} must be distinct names, at least one")
    deviating = {inconsistent} if isinstance(inconsistent, str) else set(inconsistent or ())
    if not deviating <= set(annotators):
        raise BadInput(f"inconsistent: {inconsistent!r} is not one of the annotators {annotators!r}")
    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        raise BadInput("records: duplicate record ids")
    if start is None:
        start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc) + dt.timedelta(weeks=round - 1)
    rows = []
    for a_index, name in enumerate(annotators):
        rng = np.random.default_rng([seed, round, guideline_version, a_index])
        bad = name in deviating
        clock = start + dt.timedelta(minutes=int(rng.integers(0, 90)))
        for i in rng.permutation(len(records)):
            rec = records[int(i)]
            seconds = float(rng.lognormal(np.log(30 if bad else 75), 0.4))
            clock = clock + dt.timedelta(seconds=round_seconds(seconds))
            answer = (_inconsistent_answer if bad else _good_answer)(rec.truth, rng, guideline_version)
            quality, safety, issues = answer
            issues_v = _issues_value(issues)
            stamp = pd.Timestamp(clock)
            values = [("quality", quality), ("safety", safety), ("issues", issues_v)]
            if include_critique and issues_v != ["none"]:
                values.append(("critique", _critique(rec.truth, issues_v)))
            for question, value in values:
                rows.append((rec.id, name, question, value, stamp, round, guideline_version))
    responses = pd.DataFrame(rows, columns=["item", "annotator", "question", "value", "time", "round", "guideline_version"])
    return SimulatedCalibration(responses=responses, gold=expert_gold(records))


def expert_gold(records: Sequence[DemoRecord]) -> pd.DataFrame:
    """The expert's answers on ``records`` (their hidden truth): ``item, annotator, question, value``
    with annotator ``"expert"``, per record ``quality``, ``safety`` and ``issues`` (a sorted list)."""
    gold_rows: list[tuple[str, str, str, Any]] = []
    for rec in records:
        gold_rows.append((rec.id, "expert", "quality", rec.truth.quality))
        gold_rows.append((rec.id, "expert", "safety", rec.truth.safety))
        gold_rows.append((rec.id, "expert", "issues", _issues_value(rec.truth.issues)))
    return pd.DataFrame(gold_rows, columns=["item", "annotator", "question", "value"])


def judge_suggestions(records: Sequence[DemoRecord], rng: np.random.Generator) -> list[tuple]:
    """What an LLM judge proposes for ``records``: ``(record, question, value, score)`` for
    ``quality`` (the truth 70% of the time, else a point off) and ``safety`` (the truth 82% of the
    time, else the neighbouring label), each with a score in [0.5, 1)."""
    out: list[tuple[DemoRecord, str, Any, float]] = []
    for rec in records:
        t = rec.truth
        q = t.quality if rng.random() < 0.7 else int(min(5, max(1, t.quality + (1 if rng.random() < 0.6 else -1))))
        if rng.random() < 0.82:
            s = t.safety
        else:
            i = SAFETY_LABELS.index(t.safety)
            s = SAFETY_LABELS[i + (1 if i == 0 else -1)]
        out.append((rec, "quality", q, round(float(rng.uniform(0.5, 1.0)), 3)))
        out.append((rec, "safety", s, round(float(rng.uniform(0.5, 1.0)), 3)))
    return out


def round_seconds(seconds: float) -> float:
    """Seconds rounded to the millisecond (timestamps stay exact across platforms)."""
    return float(np.round(seconds, 3))
