"""Sixth fresh labelled PII test set for Workbench's PII benchmark: medical/health chat and support.

Written on 2026-12-07 by a helper session of the project, by hand: every record was typed as a person
would write it (not filled from a template in a loop), names and places were invented or chosen by
the writer (no name/place lists from packages), and the text was never run through Workbench's
redactor, Presidio, spaCy or any other recogniser. Card numbers were made Luhn-valid and SSNs were
made to follow SSA rules (area not 000/666/9xx, group not 00, serial not 0000) by a throw-away script
and pasted in.

The records are patients messaging a clinic chatbot, intake and nursing notes, pharmacy refill
requests, insurance and billing chats. They stress the kinds current defaults miss: lower-case first
names in casual chat, DATE_OF_BIRTH (only the date value that is a birth date; appointment, refill,
due, admission and "since" dates next to it are deliberately NOT labelled), CARD_EXPIRY (the expiry
value only) and CARD_CVV (the 3-4 digit code only), alongside CREDIT_CARD, US_SSN, PHONE_NUMBER,
EMAIL_ADDRESS, PERSON and LOCATION. Titles (Dr., Mrs.) are left outside PERSON spans; for a street
address the street part ("47 Wren Court") and the city are separate LOCATION spans. Rows whose kind
starts with "negative" hold no personal data (dates, drug expiry, card words without card data).

Each ROWS entry is (kind, text, items); an item is (TYPE, value) when the value occurs exactly once
in the text, or (TYPE, value, occurrence_index) (0-based) to pick one of several occurrences. A value
must also stand alone (no letter or digit directly before or after it).
`python tests/data/make_pii_fresh6.py` writes tests/data/pii_fresh6.jsonl.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).with_name("pii_fresh6.jsonl")
SPLIT = "fresh6"


class DataError(ValueError):
    """A row's item cannot be placed in its text."""


P, L, E, T, C, S = "PERSON", "LOCATION", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN"
D, X, V = "DATE_OF_BIRTH", "CARD_EXPIRY", "CARD_CVV"

ROWS = [
    ("chatbot", "hi i'm emma, can i book a flu jab for my son leo? his DOB is 03/14/2015 and we're free any time after 3pm on 12/09.", ((P, "emma"), (P, "leo"), (D, "03/14/2015"))),
    ("intake", "Intake: Marguerite Okonjo-Hale, born 2 May 1987. Recurring migraines since 03/01, worse over the last 2 weeks. Lives in Dayton. Mobile (937) 555-0148.", ((P, "Marguerite Okonjo-Hale"), (D, "2 May 1987"), (L, "Dayton"), (T, "(937) 555-0148"))),
    ("pharmacy", "this is raj, need a refill on my lisinopril 10mg. date of birth: 1990-07-21. last fill was 2026-11-02 so i'm almost out", ((P, "raj"), (D, "1990-07-21"))),
    ("billing", "Paying the balance for my daughter's visit on 11/18. Card 4212 2544 1019 9524, exp 09/27, CVV 318. Name on card: Hollis Varga.", ((C, "4212 2544 1019 9524"), (X, "09/27"), (V, "318"), (P, "Hollis Varga"))),
    ("chatbot", "hello, d.o.b. 14.03.82, surname Lindqvist-Obi. are my blood results back? the test was on 28.11", ((D, "14.03.82"), (P, "Lindqvist-Obi"))),
    ("chat", "[09:12] Bot: Can you confirm your name and date of birth?\n[09:13] Patient: nia okafor-reyes, 07/30/1996\n[09:13] Bot: Thanks! Your next appointment is 01/12/2027 at 10:40.", ((P, "nia okafor-reyes"), (D, "07/30/1996"))),
    ("pharmacy", "Refill request for my husband tomas (born 11 Feb 1958) - atorvastatin 40 mg. We'll collect from the Elm Street branch on Friday. Call me on 614-555-0172 if there's a problem. - Deirdre", ((P, "tomas"), (D, "11 Feb 1958"), (L, "Elm Street"), (T, "614-555-0172"), (P, "Deirdre"))),
    ("billing_chat", "Agent (Corinne): I can take the payment now. What's the card number?\nCustomer: 4883036623336995\nAgent: And the expiry and security code?\nCustomer: 11/2026 and 552", ((P, "Corinne"), (C, "4883036623336995"), (X, "11/2026"), (V, "552"))),
    ("intake_form", "Name: Ezekiel Mwangi-Ross\nDOB: 09/02/1971\nSSN: 190-33-0451\nPhone: (503) 555-0119\nEmail: zeke.mr@cascadiamail.net\nReason for visit: knee pain since September", ((P, "Ezekiel Mwangi-Ross"), (D, "09/02/1971"), (S, "190-33-0451"), (T, "(503) 555-0119"), (E, "zeke.mr@cascadiamail.net"))),
    ("chatbot", "this is dev again lol. my appointment got moved to 12/22, can u confirm? dob 5/6/99", ((P, "dev"), (D, "5/6/99"))),
    ("chatbot", "can my daughter sana (born 2019-04-11) have the nasal flu vaccine if she has a cold?", ((P, "sana"), (D, "2019-04-11"))),
    ("pharmacy", "Hi, I'm calling for my mother, Mrs. Oyelaran. Her date of birth is 23/08/1949 and she's run out of her warfarin. Her GP is Dr. Fenwick-Lowe at the practice on the harbour.", ((P, "Oyelaran"), (D, "23/08/1949"), (P, "Fenwick-Lowe"))),
    ("billing", "Please update the card on my account to 5191 9392 0685 3555, valid thru 04/28, cvc: 907. Thanks, Jun Takeda-Moore", ((C, "5191 9392 0685 3555"), (X, "04/28"), (V, "907"), (P, "Jun Takeda-Moore"))),
    ("insurance", "Policyholder: Rosalind Achebe. SSN 582-08-3714. Date of birth 12/01/1965. Dependent: son, Kwame, born 06/19/2004. Address: 118 Larkspur Lane, Raleigh.", ((P, "Rosalind Achebe"), (S, "582-08-3714"), (D, "12/01/1965"), (P, "Kwame"), (D, "06/19/2004"), (L, "118 Larkspur Lane"), (L, "Raleigh"))),
    ("chatbot", "hey its marisol, i need to cancel tomorrow's physio (12/04) bc my car broke down. can u call me at 520-555-0136", ((P, "marisol"), (T, "520-555-0136"))),
    ("negative_sms", "Reminder from Lakeview Dental: your appointment is on 01/07/2027 at 2:15 pm. Reply C to confirm.", ()),
    ("intake", "Pt states d.o.b. 02.11.74, smoker for 20 yrs, quit 03/2020. Referred by Dr. Ilse Baptiste. Contact: ilse.baptiste.referrals@northfieldhealth.org", ((D, "02.11.74"), (P, "Ilse Baptiste"), (E, "ilse.baptiste.referrals@northfieldhealth.org"))),
    ("billing_chat", "Customer: can i pay over chat? visa 4774-6249-4401-9192 exp 7/29 cvv 044\nAgent: Please don't share the full number here, I'll send a secure link. Thanks, Bronagh.", ((C, "4774-6249-4401-9192"), (X, "7/29"), (V, "044"), (P, "Bronagh"))),
    ("chatbot", "im ollie, 17, born 8 jan 2009, can i get the hpv jab without my parents?", ((P, "ollie"), (D, "8 jan 2009"))),
    ("pharmacy", "Rx transfer request: patient Gaspard Nwachukwu, DOB 1983-10-05, from Pinecrest Pharmacy in Tacoma. Preferred contact gaspard.nwa@fastpost.io", ((P, "Gaspard Nwachukwu"), (D, "1983-10-05"), (L, "Tacoma"), (E, "gaspard.nwa@fastpost.io"))),
    ("billing", "SSN for insurance verification: 188-95-2516. Patient is my wife, ines, dob 19 Sept 1979.", ((S, "188-95-2516"), (P, "ines"), (D, "19 Sept 1979"))),
    ("chatbot", "This is Farrukh, I had bloods taken on 10/28 and nobody has called me. my number is +1 347 555 0163", ((P, "Farrukh"), (T, "+1 347 555 0163"))),
    ("clinic_message", "Dear Dr. Halloran, my son beto (DOB 04/04/2017) has had a fever of 39°C for 3 days. Is it OK to give Calpol every 6 hours? - Luz Ferreira-Dias, 0412 377 905", ((P, "Halloran"), (P, "beto"), (D, "04/04/2017"), (P, "Luz Ferreira-Dias"), (T, "0412 377 905"))),
    ("billing", "Card ending 4411 was declined. Trying another: 4210 3518 0661 2185, expires 03/29, security code 627.", ((C, "4210 3518 0661 2185"), (X, "03/29"), (V, "627"))),
    ("intake", "Walk-in. 34F, name given as Solveig Ranta, born 1992-01-30 in Tampere. Allergic to penicillin. Seen 2026-12-03 14:20.", ((P, "Solveig Ranta"), (D, "1992-01-30"), (L, "Tampere"))),
    ("chatbot", "yo this is hamza i need my vaccine record for uni, DOB 10/10/2005, email hamza.q.05@quickmail.com", ((P, "hamza", 0), (D, "10/10/2005"), (E, "hamza.q.05@quickmail.com"))),
    ("support_ticket", "Patient portal lockout - user gives name Temperance Olawale, date of birth 17 March 1961, phone 404-555-0185. Verified via SSN last four only.", ((P, "Temperance Olawale"), (D, "17 March 1961"), (T, "404-555-0185"))),
    ("chatbot", "my husband lars keeps forgetting his metformin at lunch, is it ok to take both doses at dinner?", ((P, "lars"),)),
    ("billing_chat", "Agent Thandeka: For security, please confirm the card's expiry date.\nCaller: it says good thru 01/30\nAgent Thandeka: Thank you, and the three digits on the back?\nCaller: 781", ((P, "Thandeka", 0), (X, "01/30"), (P, "Thandeka", 1), (V, "781"))),
    ("intake_form", "Full name: Cyprian Mbeki-Lund | D.O.B.: 30/06/1955 | SSN: 171-49-9408 | Emergency contact: daughter Agathe, +44 7700 900318", ((P, "Cyprian Mbeki-Lund"), (D, "30/06/1955"), (S, "171-49-9408"), (P, "Agathe"), (T, "+44 7700 900318"))),
    ("pharmacy", "hi this is freya, my repeat prescription for sertraline isn't showing. i'm registered at the surgery on Mill Road, born 22/12/1998.", ((P, "freya"), (L, "Mill Road"), (D, "22/12/1998"))),
    ("chat", "Patient: i'm kai, my mum made the appointment for 12/15 but i can't go. can we do the 19th?\nBot: Of course, kai. I've moved it to 12/19 at 9:00.", ((P, "kai", 0), (P, "kai", 1))),
    ("billing", "Please charge my copay to Mastercard 5321850544554511 exp 10/28 cvv 239. Billing address 47 Wren Court, Asheville.", ((C, "5321850544554511"), (X, "10/28"), (V, "239"), (L, "47 Wren Court"), (L, "Asheville"))),
    ("chatbot", "I'm Petronella, DOB 1/9/1947. My hearing aid appointment letter says 1/9/2027 - is that right or a typo?", ((P, "Petronella"), (D, "1/9/1947"))),
    ("chatbot", "parent here. my son mateo was born on 3rd june 2016, he fell off the trampoline and his wrist is swollen. we're near Fairview Park", ((P, "mateo"), (D, "3rd june 2016"), (L, "Fairview Park"))),
    ("billing", "SSN 205-11-7770 - I'm told I need it on file for the Medicare claim. Name is Augustin Prewitt.", ((S, "205-11-7770"), (P, "Augustin Prewitt"))),
    ("email", "From: Caoimhe Brannigan <caoimhe.brannigan@lisburnpost.com>\nSubject: repeat prescription\n\nDate of birth 04/11/1988. Could you send the script to the pharmacy in Lisburn? Thanks", ((P, "Caoimhe Brannigan"), (E, "caoimhe.brannigan@lisburnpost.com"), (D, "04/11/1988"), (L, "Lisburn"))),
    ("chatbot", "hey its priyanka. my dad's blood pressure was 165/100 this morning, he's 71, should i take him to urgent care?", ((P, "priyanka"),)),
    ("pharmacy_payment", "Paying for the prescription delivery: Amex 3464 854363 40760, exp 12/27, 4-digit code 2290. Deliver to 9 Quarry Rise, Bendigo.", ((C, "3464 854363 40760"), (X, "12/27"), (V, "2290"), (L, "9 Quarry Rise"), (L, "Bendigo"))),
    ("intake", "Ms. Adaora Fielding-Osei, b. 11/02/1960, presents with shortness of breath. Husband Clement present. Daughter lives in Leeds and can be reached on 07700 900 742.", ((P, "Adaora Fielding-Osei"), (D, "11/02/1960"), (P, "Clement"), (L, "Leeds"), (T, "07700 900 742"))),
    ("chat", "Bot: What's your date of birth?\nUser: 21st of october 1993\nBot: Thanks. Which pharmacy would you like to use?\nUser: the one on Harbour Road in Wexford", ((D, "21st of october 1993"), (L, "Harbour Road"), (L, "Wexford"))),
    ("billing_chat", "i paid 85 dollars twice on 11/30, card was 2223 6968 5974 7117. refund pls. my name is yusuf demir", ((C, "2223 6968 5974 7117"), (P, "yusuf demir"))),
    ("chatbot", "my baby ren was born 09/09/2025 and still hasn't had the 8 week jabs. can i book online?", ((P, "ren"), (D, "09/09/2025"))),
    ("insurance", "Subscriber SSN: 670-15-7133\nSubscriber DOB: 1969-05-17\nGroup no. 44120 (employer plan)\nPatient: Mireille Santangelo (spouse)", ((S, "670-15-7133"), (D, "1969-05-17"), (P, "Mireille Santangelo"))),
    ("pharmacy", "Refill for camila torres please, born 12 Dec 2001, the asthma inhaler. phone 786-555-0127", ((P, "camila torres"), (D, "12 Dec 2001"), (T, "786-555-0127"))),
    ("chat", "Patient: hi, it's greta. I took 2 ibuprofen at 8am and another 2 at 11. too much?\nNurse Odalys: Hi greta, that's within the daily limit, but wait until at least 4pm before the next dose.", ((P, "greta", 0), (P, "Odalys"), (P, "greta", 1))),
    ("billing", "Updating payment method for the family plan. New card: 2600-1541-5522-4061 Exp: 06/2028 CVV: 613. Cardholder: Everett Lindgren-Park.", ((C, "2600-1541-5522-4061"), (X, "06/2028"), (V, "613"), (P, "Everett Lindgren-Park"))),
    ("intake", "Patient Oyinkansola Draper-Reid, d.o.b. 29.02.84 (leap year, please double-check), referred for physiotherapy from 15.01.2027.", ((P, "Oyinkansola Draper-Reid"), (D, "29.02.84"))),
    ("chatbot", "this is tariq's mum, he was born 15/07/2012 and needs his inhaler renewed. his GP is Dr Ahn.", ((P, "tariq"), (D, "15/07/2012"), (P, "Ahn"))),
    ("support_ticket", "Portal shows my date of birth as blank. It should be 06/23/1977. Name: Ignatius Kowalewski, email ig.kowalewski@lakemont.net", ((D, "06/23/1977"), (P, "Ignatius Kowalewski"), (E, "ig.kowalewski@lakemont.net"))),
    ("chatbot", "my wife noor is 32 weeks pregnant, due date 01/28/2027, and has swollen ankles. should we worry?", ((P, "noor"),)),
    ("billing_chat", "Caller gave card 6011 8325 9911 3305, expiry 05/27, CVV 490, for the outstanding balance of $212.40. Caller: Philippa Ndlovu, callback 312-555-0190.", ((C, "6011 8325 9911 3305"), (X, "05/27"), (V, "490"), (P, "Philippa Ndlovu"), (T, "312-555-0190"))),
    ("intake_form", "SSN 169-51-0735 / DOB 02/17/1990 / Name: Rutendo Castellano / Preferred pharmacy: Walnut Street, Harrisburg", ((S, "169-51-0735"), (D, "02/17/1990"), (P, "Rutendo Castellano"), (L, "Walnut Street"), (L, "Harrisburg"))),
    ("chatbot", "i'm elif, had my covid booster on 10/02 and my arm is still sore. normal?", ((P, "elif"),)),
    ("pharmacy", "Hello, this is Anselm from Riverbend Care Home. Resident Mrs Winifred Ashdown (DOB 14/05/1936) needs her Donepezil blister packs before 12/12. Fax is broken, reach me on 01632 960 418.", ((P, "Anselm"), (P, "Winifred Ashdown"), (D, "14/05/1936"), (T, "01632 960 418"))),
    ("chatbot", "ok so my sister ama has a rash after starting amoxicillin yesterday, she's 25 if that matters", ((P, "ama"),)),
    ("billing", "Please use my HSA card: 4839512416422965, exp 08/26, code 115. Patient account is under Leopold Vasquez-Hart.", ((C, "4839512416422965"), (X, "08/26"), (V, "115"), (P, "Leopold Vasquez-Hart"))),
    ("intake", "Mother: Femi Adeyemi-Shaw (born 5 October 1985)\nChild: Tobi, born 22 March 2020\nConcern: speech delay\nNext review: 4 March 2027", ((P, "Femi Adeyemi-Shaw"), (D, "5 October 1985"), (P, "Tobi"), (D, "22 March 2020"))),
    ("chatbot", "hi i'm zoe, my pharmacy is closed and i'm out of my epilepsy meds (lamotrigine). i'm in Duluth, is there a 24h one?", ((P, "zoe"), (L, "Duluth"))),
    ("support_ticket", "Caller Oswin Achterberg, SSN 020-43-6545, asked to update address to 302 Bayview Terrace, Eureka. Verified DOB 11/11/1981.", ((P, "Oswin Achterberg"), (S, "020-43-6545"), (L, "302 Bayview Terrace"), (L, "Eureka"), (D, "11/11/1981"))),
    ("chatbot", "this is lucia, whats the earliest i can get a smear test? my last one was 06/2023", ((P, "lucia"),)),
    ("billing_chat", "Customer: card is 4170 7925 8820 2281\nAgent Mattias: Expiry?\nCustomer: 02/29\nAgent Mattias: And the CVV?\nCustomer: 363\nAgent Mattias: Thanks, payment of $45 taken.", ((C, "4170 7925 8820 2281"), (P, "Mattias", 0), (X, "02/29"), (P, "Mattias", 1), (V, "363"), (P, "Mattias", 2))),
    ("pharmacy", "Refill: sumatriptan 50mg. Patient ID check: DOB 1975-12-09, lives in Bristol. Contact elspeth.moriarty@brightwire.co.uk", ((D, "1975-12-09"), (L, "Bristol"), (E, "elspeth.moriarty@brightwire.co.uk"))),
    ("chatbot", "my son theo (dob 18/01/2018) swallowed a coin about an hour ago, he seems fine. what do i do?", ((P, "theo"), (D, "18/01/2018"))),
    ("intake", "Admitted 2026-12-05. Patient: Hafsa Qureshi-Lambert, DOB 1958-03-27, SSN 818-49-2953. NOK: brother Imtiaz, 0161 496 0735, Manchester.", ((P, "Hafsa Qureshi-Lambert"), (D, "1958-03-27"), (S, "818-49-2953"), (P, "Imtiaz"), (T, "0161 496 0735"), (L, "Manchester"))),
    ("billing", "I'd like to pay the dental invoice. Visa 4062-9238-4859-5096, exp. 10/27, CVV 802. Email the receipt to h.okwu@mailbeam.net", ((C, "4062-9238-4859-5096"), (X, "10/27"), (V, "802"), (E, "h.okwu@mailbeam.net"))),
    ("chatbot", "im soren and i think i have strep throat. can i get antibiotics without seeing someone? i'm 19, born 30 april 2007", ((P, "soren"), (D, "30 april 2007"))),
    ("chat", "Receptionist (Marisa): Can I take a contact number?\nPatient: 216-555-0144, and my email is bea.lindholm@ohiolink.email\nReceptionist (Marisa): Perfect, thanks Bea.", ((P, "Marisa", 0), (T, "216-555-0144"), (E, "bea.lindholm@ohiolink.email"), (P, "Marisa", 1), (P, "Bea"))),
    ("pharmacy", "hiya, it's jojo! can i collect my mum's prescription? her name's Dorothea Finch, born 02/08/1952, we live on Rowan Close in Harrogate", ((P, "jojo"), (P, "Dorothea Finch"), (D, "02/08/1952"), (L, "Rowan Close"), (L, "Harrogate"))),
    ("insurance", "Secondary insurance holder: Marcellus Ibe, SSN 788-04-8646, DOB 07-04-1966, employer in Newark.", ((P, "Marcellus Ibe"), (S, "788-04-8646"), (D, "07-04-1966"), (L, "Newark"))),
    ("chatbot", "hey, this is femi. i was told to fast before my blood test on 12/10. can i still drink water?", ((P, "femi"),)),
    ("billing_chat", "Patient: my card got charged a no-show fee but i cancelled on 11/21!\nAgent (Josiah): Sorry about that. Can you confirm the last four and expiry?\nPatient: 9491, expires 12/2027", ((P, "Josiah"), (X, "12/2027"))),
    ("intake", "Patient: Anouk Verhaegen, geb. 13/03/1980, visiting from Ghent. Tel +32 470 55 18 42.", ((P, "Anouk Verhaegen"), (D, "13/03/1980"), (L, "Ghent"), (T, "+32 470 55 18 42"))),
    ("chatbot", "can someone help my dad? he's 80, name is Horatio Blaylock, born 1946-09-14. he fell in the garden and his hip hurts. we're at 61 Ashgrove Road, Salem", ((P, "Horatio Blaylock"), (D, "1946-09-14"), (L, "61 Ashgrove Road"), (L, "Salem"))),
    ("sms", "Hi it's ines from the clinic - just confirming your scan at 10:30 tomorrow (12/08). Bring your insurance card.", ((P, "ines"),)),
    ("billing", "Card for autopay: 4456 2679 0052 0137 / exp 01/29 / cvv 958. Account holder SSN 376-56-4931 for the payment plan application.", ((C, "4456 2679 0052 0137"), (X, "01/29"), (V, "958"), (S, "376-56-4931"))),
    ("chatbot", "i'm dario, born 1987-02-14, and i need a fit note for work. I've been off since 11/24 with back pain.", ((P, "dario"), (D, "1987-02-14"))),
    ("intake", "Telehealth intake\nName: Katarzyna Wilde\nDate of birth: 25 November 1993\nLocation during call: hotel in Bozeman\nPhone: 406-555-0111\nSymptoms since: 4 Dec", ((P, "Katarzyna Wilde"), (D, "25 November 1993"), (L, "Bozeman"), (T, "406-555-0111"))),
    ("pharmacy_chat", "Pharmacist Ngozi: Hi, which medicine do you need?\nCustomer: it's for my son otis, amoxicillin again\nPharmacist Ngozi: And his date of birth?\nCustomer: 10.05.2019", ((P, "Ngozi", 0), (P, "otis"), (P, "Ngozi", 1), (D, "10.05.2019"))),
    ("negative_billing", "Your payment of $120.00 with card ending 7302 has been received. Next statement: 01/15/2027. Thanks, Greenway Clinic billing team.", ()),
    ("chatbot", "ok i'm hugo, allergic to penicillin. birthday 03 Aug 1990. can i take cefalexin?", ((P, "hugo"), (D, "03 Aug 1990"))),
    ("support_ticket", "I can't log in. My username is the email adaeze.k.nwosu@starlink-mail.org and my DOB is 05/31/1984. Phone on file should be 971-555-0167.", ((E, "adaeze.k.nwosu@starlink-mail.org"), (D, "05/31/1984"), (T, "971-555-0167"))),
    ("chat", "Patient: hi its mila, my therapist is dr. sorensen but she's on leave\nBot: Hi mila! Would you like to see another therapist in the meantime?", ((P, "mila", 0), (P, "sorensen"), (P, "mila", 1))),
    ("referral", "Referral letter: Re: Mr Thelonious Abara, DOB 19/04/1949, 22 Kestrel Way, Norwich. Known to Dr Pemberton. Please see within 2 weeks.", ((P, "Thelonious Abara"), (D, "19/04/1949"), (L, "22 Kestrel Way"), (L, "Norwich"), (P, "Pemberton"))),
    ("billing", "Cardholder: Yevgenia Markovic\nCard: 4488 4767 6260 7302\nExp: 05/2027\nCVV: 174\nAmount: $360 (MRI deposit)", ((P, "Yevgenia Markovic"), (C, "4488 4767 6260 7302"), (X, "05/2027"), (V, "174"))),
    ("chatbot", "my twins ezra and hana were born 06/02/2022. both have chickenpox - how long till they can go back to nursery?", ((P, "ezra"), (P, "hana"), (D, "06/02/2022"))),
    ("insurance", "Member: Obadiah Quarles. SSN 440-71-2079. DOB 08/08/1958. Claim for ER visit on 10/19/2026 in Knoxville.", ((P, "Obadiah Quarles"), (S, "440-71-2079"), (D, "08/08/1958"), (L, "Knoxville"))),
    ("chatbot", "hello i'm pedro. my grandmother is staying with us in Fresno and ran out of her heart pills. can she see a doctor here? she was born 12/05/1940.", ((P, "pedro"), (L, "Fresno"), (D, "12/05/1940"))),
    ("pharmacy", "Delivery note: leave at side door. Patient: Cordelia Vance-Oduya, 14 Heron Street, Galway. Call 087 214 5509 on arrival.", ((P, "Cordelia Vance-Oduya"), (L, "14 Heron Street"), (L, "Galway"), (T, "087 214 5509"))),
    ("billing_chat", "Customer: pay with this one - 5546 0012 5117 1615, 09/28, 337\nAgent Reuben: Got it, thank you.", ((C, "5546 0012 5117 1615"), (X, "09/28"), (V, "337"), (P, "Reuben"))),
    ("intake_form", "Patient name: sione fifita (typed by patient)\nDOB: 1999-11-02\nPhone: +64 21 555 0187\nConcern: gout flare", ((P, "sione fifita"), (D, "1999-11-02"), (T, "+64 21 555 0187"))),
    ("chatbot", "can my husband aarav collect my ozempic? i'm at work till 6. my dob is 16/06/1986 if u need it", ((P, "aarav"), (D, "16/06/1986"))),
    ("email", "From: Leontine Abernathy-Cole <leontine.ac@pinegrove.edu>\n\nHi, I need to reschedule my colonoscopy from 01/14/2027. My date of birth is 02/22/1970. Best, Leontine", ((P, "Leontine Abernathy-Cole"), (E, "leontine.ac@pinegrove.edu"), (D, "02/22/1970"), (P, "Leontine", 1))),
    ("billing", "SSN 002-26-9475 was entered on my bill by mistake - that's my late father's. Please remove it. Account name: Prudence Haverford.", ((S, "002-26-9475"), (P, "Prudence Haverford"))),
    ("chatbot", "this is noah's dad, he's 4 (born 01/25/2022) and has had diarrhoea for 2 days. how much pedialyte should he drink?", ((P, "noah"), (D, "01/25/2022"))),
    ("intake", "Patient: Leocadia Mensah-Byrne. D.O.B. 03-09-1977. Address: 5 Tannery Lane, Kilkenny. Email leocadia.mb@eirpost.ie. Previous surgery: 2019 (appendix).", ((P, "Leocadia Mensah-Byrne"), (D, "03-09-1977"), (L, "5 Tannery Lane"), (L, "Kilkenny"), (E, "leocadia.mb@eirpost.ie"))),
    ("billing_chat", "Bot: Please enter the card number.\nUser: 5257 9173 6087 1002\nBot: Please enter the expiry (MM/YY).\nUser: 03/28\nBot: Please enter the CVC.\nUser: 566", ((C, "5257 9173 6087 1002"), (X, "03/28"), (V, "566"))),
    ("chatbot", "hi this is kiri. I'm 28 weeks and my midwife appointment is 12/17. my dob is 04/12/1997. can I fly next week?", ((P, "kiri"), (D, "04/12/1997"))),
    ("pharmacy", "Transfer my prescriptions from the Oak Lane store in Columbus to the one near my new flat in Cincinnati please. Name Evander Truong, born 9/17/1992, phone 513-555-0158.", ((L, "Oak Lane"), (L, "Columbus"), (L, "Cincinnati"), (P, "Evander Truong"), (D, "9/17/1992"), (T, "513-555-0158"))),
    ("insurance", "SSN 100-93-9229. Patient: Wilhelmina Osei (self). Plan effective 01/01/2026. DOB 10/30/1963.", ((S, "100-93-9229"), (P, "Wilhelmina Osei"), (D, "10/30/1963"))),
    ("chat", "Patient: i'm manu, can i come in today? i've had a toothache since saturday\nReceptionist Ilona: Hi manu, we have 4:45 with Dr. Castellanos-Pike.", ((P, "manu", 0), (P, "Ilona"), (P, "manu", 1), (P, "Castellanos-Pike"))),
    ("billing", "Dear billing team, please charge the outstanding $78.20 to my Discover 6011070337093600, exp 11/28, cvv 771. Regards, Perpetua Ionescu", ((C, "6011070337093600"), (X, "11/28"), (V, "771"), (P, "Perpetua Ionescu"))),
    ("chatbot", "this is efua. pharmacy gave me 20mg instead of 10mg of citalopram. i've taken 2 already. born 27/09/1995", ((P, "efua"), (D, "27/09/1995"))),
    ("intake", "Paediatric intake: child Ansel Kurtz-Moreno, DOB 2021-08-03. Parents: Greer Kurtz (mother, 720-555-0182) and Tomasz Moreno (father). Daycare in Boulder.", ((P, "Ansel Kurtz-Moreno"), (D, "2021-08-03"), (P, "Greer Kurtz"), (T, "720-555-0182"), (P, "Tomasz Moreno"), (L, "Boulder"))),
    ("chatbot", "can i get the shingles vaccine at 52? I was born 14 Feb 1974, I'm in Spokane", ((D, "14 Feb 1974"), (L, "Spokane"))),
    ("billing_chat", "Customer (Dunya Haddad): The card is 4672 8445 7895 8951, the expiry is 10/2029 and the CVV is 249.\nAgent: Thank you Ms. Haddad, payment processed.", ((P, "Dunya Haddad"), (C, "4672 8445 7895 8951"), (X, "10/2029"), (V, "249"), (P, "Haddad", 1))),
    ("pharmacy", "Refill reminder for ayaan (DOB 12/03/2014): montelukast 5mg. Due 12/20. Parent phone 832-555-0104.", ((P, "ayaan"), (D, "12/03/2014"), (T, "832-555-0104"))),
    ("intake_form", "Emergency contact form\nPatient: Gwendolyn Achterfeld\nSSN: 294-97-2155\nContact: partner, Rafferty Nuñez, rafferty.n@coastline.net\nBorn: June 3, 1981", ((P, "Gwendolyn Achterfeld"), (S, "294-97-2155"), (P, "Rafferty Nuñez"), (E, "rafferty.n@coastline.net"), (D, "June 3, 1981"))),
    ("chatbot", "my grandad is 88, born on the 4th of july 1938, can he still get the rsv vaccine? he lives in Tulsa", ((D, "4th of july 1938"), (L, "Tulsa"))),
    ("billing", "Pls refund card 4768 3243 4531 1359 (exp 08/27). charged for a telehealth visit that got cancelled. -noor", ((C, "4768 3243 4531 1359"), (X, "08/27"), (P, "noor"))),
    ("chat", "Nurse Bettina: Hi, can you confirm your DOB?\nPatient: 11-30-1968\nNurse Bettina: Thanks, your biopsy results are ready. Dr. Amadi-Larsen will call you on 11/09.", ((P, "Bettina", 0), (D, "11-30-1968"), (P, "Bettina", 1), (P, "Amadi-Larsen"))),
    ("insurance", "Claimant SSN 370-96-9914, DOB 1971-06-12, provider: Westbrook Urgent Care, Portland. Claimant name: Isadora Kwan.", ((S, "370-96-9914"), (D, "1971-06-12"), (L, "Portland"), (P, "Isadora Kwan"))),
    ("chatbot", "hi i'm yara, can i take sudafed with my blood pressure meds? i'm on amlodipine 5mg", ((P, "yara"),)),
    ("pharmacy_payment", "Paid for the Wegovy pens via Amex 375651606113006, expiry 09/2029, 4-digit CID 3381. Shipping to 880 Sycamore Drive, Scottsdale.", ((C, "375651606113006"), (X, "09/2029"), (V, "3381"), (L, "880 Sycamore Drive"), (L, "Scottsdale"))),
    ("intake_form", "Name: Benedikt Horvath-Ali | Date of birth: 04.07.1989 | Phone: +49 151 5550 2234 | Email: b.horvath-ali@posteo-mail.de | Insurance no. pending", ((P, "Benedikt Horvath-Ali"), (D, "04.07.1989"), (T, "+49 151 5550 2234"), (E, "b.horvath-ali@posteo-mail.de"))),
    ("chatbot", "is it normal for my baby to sleep 18 hours a day? she was born 11/20/2026 so she's about 2 weeks old. her name is aurelie", ((D, "11/20/2026"), (P, "aurelie"))),
    ("billing_chat", "Agent Siddharth: I see an unpaid balance of $64. Would you like to pay now?\nPatient: yes, card 3726 584121 69091, exp 06/27, security code 8820\nAgent Siddharth: Done!", ((P, "Siddharth", 0), (C, "3726 584121 69091"), (X, "06/27"), (V, "8820"), (P, "Siddharth", 1))),
    ("chatbot", "my partner jonah had a seizure 10 minutes ago, he's breathing but confused. we're at 17 Birch Hollow, Missoula", ((P, "jonah"), (L, "17 Birch Hollow"), (L, "Missoula"))),
    ("insurance", "Please confirm my SSN on file: 726-80-6912. My name is Cosima Uberti and I was born 30 Jan 1984. Email cosima.uberti@vialattea.it", ((S, "726-80-6912"), (P, "Cosima Uberti"), (D, "30 Jan 1984"), (E, "cosima.uberti@vialattea.it"))),
    ("intake", "Pre-op checklist: Patient Bramwell Osei-Tutu, DOB 07/19/1962, surgery 12/14/2026, fasting from midnight. Ride home: wife Esi, 646-555-0137.", ((P, "Bramwell Osei-Tutu"), (D, "07/19/1962"), (P, "Esi"), (T, "646-555-0137"))),
    ("chatbot", "hey it's paz, my period is 10 days late and the test is negative, should i see a doctor?", ((P, "paz"),)),
    ("billing", "Please remove my old card 4431226194837839 (expired 10/25) and add the new one: 4668 2126 4245 2862, expires 10/29, CVV 405.", ((C, "4431226194837839"), (X, "10/25"), (C, "4668 2126 4245 2862"), (X, "10/29"), (V, "405"))),
    ("pharmacy", "Hi, this is Rosalie at Hillcrest Pharmacy. We need the patient's date of birth for the controlled prescription for Mr. Fairweather. Please call us back on 719-555-0195.", ((P, "Rosalie"), (P, "Fairweather"), (T, "719-555-0195"))),
    ("chatbot", "i'm 15 and my mum doesn't know i'm here. born 2011-03-22. i think i'm depressed. can i talk to someone without her?", ((D, "2011-03-22"),)),
    ("intake", "Patient: Mr Iolo Pritchard, DOB 28/02/1944, of 3 Chapel Row, Aberystwyth. Daughter Nerys (nerys.pritchard@cymru-post.net) is main carer.", ((P, "Iolo Pritchard"), (D, "28/02/1944"), (L, "3 Chapel Row"), (L, "Aberystwyth"), (P, "Nerys"), (E, "nerys.pritchard@cymru-post.net"))),
    ("billing_chat", "Customer: this is the card for my mum's account - 4479 3854 1864 1154 exp 04/2030 cvv 087. she's called Halima Yusuf-Bergstrom.", ((C, "4479 3854 1864 1154"), (X, "04/2030"), (V, "087"), (P, "Halima Yusuf-Bergstrom"))),
    ("chatbot", "hey this is omar. doc said take amoxicillin every 8 hours for 7 days starting 12/06. if i take the first one at 2pm when's the next?", ((P, "omar"),)),
    ("insurance", "Dependent SSN 724-21-3183, dependent DOB 05/05/2010, dependent name Lysander Achebe-Wolfe. Subscriber: his mother, Philomena Wolfe.", ((S, "724-21-3183"), (D, "05/05/2010"), (P, "Lysander Achebe-Wolfe"), (P, "Philomena Wolfe"))),
    ("sms", "Hi it's Dr. Oduya's office. Your lab results from 11/25 are normal. Next physical due 11/2027. Call 802-555-0131 with questions.", ((P, "Oduya"), (T, "802-555-0131"))),
    ("chatbot", "i'm lorenzo and i'm moving from Trieste to Denver in march. how do i get my prescriptions transferred? born 1991-08-30", ((P, "lorenzo"), (L, "Trieste"), (L, "Denver"), (D, "1991-08-30"))),
    ("nursing_note", "Nursing note 07:00: resident Mavis Okoro-Finn (b. 1939-12-01) refused breakfast. Son Cuthbert notified by phone, (207) 555-0164.", ((P, "Mavis Okoro-Finn"), (D, "1939-12-01"), (P, "Cuthbert"), (T, "(207) 555-0164"))),
    ("billing", "SSN 817-29-8228 and card 6557 2980 8964 1496 exp 02/28 cvv 630 - is it safe to send these here? I need to set up the payment plan.", ((S, "817-29-8228"), (C, "6557 2980 8964 1496"), (X, "02/28"), (V, "630"))),
    ("chatbot", "message for dr. kwon from bashir: my knee is worse since the injection on 11/26. phone me at 646-555-0178", ((P, "kwon"), (P, "bashir"), (T, "646-555-0178"))),
    ("pharmacy", "Patient Ottilie Brandvold DOB 08/17/1979 requests early refill of zolpidem - travelling to Reykjavik 12/19-01/03.", ((P, "Ottilie Brandvold"), (D, "08/17/1979"), (L, "Reykjavik"))),
    ("intake", "Chief complaint: chest tightness.\nName: Evaristo Pinheiro\nBorn: 03/03/1959\nSSN: 526-02-8363\nPCP: Dr. Whitcombe\nPharmacy: the one on Main St, Fall River", ((P, "Evaristo Pinheiro"), (D, "03/03/1959"), (S, "526-02-8363"), (P, "Whitcombe"), (L, "Main St"), (L, "Fall River"))),
    ("chatbot", "hi im kemal, born 13/11/2000. had a tetanus shot in 2015, do i need another after stepping on a nail?", ((P, "kemal"), (D, "13/11/2000"))),
    ("billing_chat", "Agent: Could you confirm the card's expiration date and CVV?\nCaller (Ines Salgado): Sure, it's 07/31 and 9125 - it's an Amex.\nAgent: Thank you, Ms. Salgado.", ((P, "Ines Salgado"), (X, "07/31"), (V, "9125"), (P, "Salgado", 1))),
    ("intake_form", "Guardian: Aurelio Battaglia, phone 267-555-0106, email aurelio.battaglia@delmarva.net\nChild: Chiara Battaglia, date of birth 2018-02-14\nAllergy: peanuts", ((P, "Aurelio Battaglia"), (T, "267-555-0106"), (E, "aurelio.battaglia@delmarva.net"), (P, "Chiara Battaglia"), (D, "2018-02-14"))),
    ("chatbot", "my dad (born 6/11/1950) is on warfarin and wants to take fish oil. ok? his name is ernesto", ((D, "6/11/1950"), (P, "ernesto"))),
    ("insurance", "Member ID card lost. SSN 487-55-8697, name Ravenna Holt, DOB 09/12/1987, mailing address 1420 Juniper Ave, Flagstaff.", ((S, "487-55-8697"), (P, "Ravenna Holt"), (D, "09/12/1987"), (L, "1420 Juniper Ave"), (L, "Flagstaff"))),
    ("billing", "Payment link expired so sending here: 3528 1359 3320 7269 / 12/26 / 419. For the physio invoice under my son rafael's account.", ((C, "3528 1359 3320 7269"), (X, "12/26"), (V, "419"), (P, "rafael"))),
    ("chat", "Patient: hi, it's anouk again. can i switch my appointment from 12/11 to 12/18?\nBot: Hi anouk, 12/18 at 11:00 is available. Shall I book it?", ((P, "anouk", 0), (P, "anouk", 1))),
    ("pharmacy", "Refill auth request for Zebulon Farrier, DOB 1956/04/30, metoprolol 25mg BID. Prescriber Dr. Adeyinka. Fax back or call (601) 555-0149.", ((P, "Zebulon Farrier"), (D, "1956/04/30"), (P, "Adeyinka"), (T, "(601) 555-0149"))),
    ("chatbot", "this is soraya, my 3yo swallowed some of my vitamin d tablets, maybe 5? she was born 2023-06-08. do i go to er?", ((P, "soraya"), (D, "2023-06-08"))),
    ("insurance", "Secondary SSN: 787-45-6501 (spouse, Desmond Frey-Akande). Primary DOB 12/30/1974.", ((S, "787-45-6501"), (P, "Desmond Frey-Akande"), (D, "12/30/1974"))),
    ("billing_chat", "Customer: hi its harriet, my card expires 02/27 so can i update it before my next payment on 03/01?\nAgent: Sure harriet, please use the secure link.", ((P, "harriet", 0), (X, "02/27"), (P, "harriet", 1))),
    ("triage", "Triage: 67M, name Aurelius Boateng-Nash, born 1959-10-23, from Savannah, visiting family in Macon.", ((P, "Aurelius Boateng-Nash"), (D, "1959-10-23"), (L, "Savannah"), (L, "Macon"))),
    ("chatbot", "born 19 Aug 1982, female, on Metformin and Jardiance. can i do a 24h fast?", ((D, "19 Aug 1982"),)),
    ("pharmacy_payment", "Card: 4163 7005 7153 8842\nExp: 11/27\nCVV: 508\nName: Seraphina Lowell\nPhone: 503-555-0152", ((C, "4163 7005 7153 8842"), (X, "11/27"), (V, "508"), (P, "Seraphina Lowell"), (T, "503-555-0152"))),
    ("insurance", "SSN 578-40-7164; DOB 07/07/1977; member Cormac Delacroix-Oyelaran; dental claim from 11/03/2026.", ((S, "578-40-7164"), (D, "07/07/1977"), (P, "Cormac Delacroix-Oyelaran"))),
    ("chatbot", "hey its nadim, i need a sick note for 11/30 to 12/04. i saw dr. lindstrom on 11/30", ((P, "nadim"), (P, "lindstrom"))),
    ("intake_form", "Name: Marisela Ocampo-Drury, DOB: 06/15/1983, SSN: 844-95-4290, Phone: (915) 555-0177, City: El Paso", ((P, "Marisela Ocampo-Drury"), (D, "06/15/1983"), (S, "844-95-4290"), (T, "(915) 555-0177"), (L, "El Paso"))),
    ("billing_chat", "Patient: i'll pay the $30 copay with card 4720 5756 9210 9491 exp 10/2026 code 274\nAgent Temitope: Thanks, but that card expired at the end of October, do you have another?", ((C, "4720 5756 9210 9491"), (X, "10/2026"), (V, "274"), (P, "Temitope"))),
    ("chatbot", "my mum ruth is 79 and keeps getting UTIs. is cranberry juice actually useful?", ((P, "ruth"),)),
    ("insurance", "SSN 522-31-4216, Olumide Vasquez, born 11 Nov 1990, claim for physio at the Northgate clinic in Spokane.", ((S, "522-31-4216"), (P, "Olumide Vasquez"), (D, "11 Nov 1990"), (L, "Spokane"))),
    ("pharmacy", "Customer Teodora Ilic called: her levothyroxine prescription (DOB 24.09.1971 on the label) was given to the wrong patient. Callback +49 30 5557 8712.", ((P, "Teodora Ilic"), (D, "24.09.1971"), (T, "+49 30 5557 8712"))),
    ("chatbot", "hiya im bex, what's the max paracetamol i can have in 24hrs? i weigh 50kg", ((P, "bex"),)),
    ("intake", "Paediatric: patient Isolde Marchetti, DOB 2016-11-09. Mother: Fenella Marchetti, email fen.marchetti@hillmail.it. Father: Gianluca, +39 347 555 2190.", ((P, "Isolde Marchetti"), (D, "2016-11-09"), (P, "Fenella Marchetti"), (E, "fen.marchetti@hillmail.it"), (P, "Gianluca"), (T, "+39 347 555 2190"))),
    ("billing", "Security code is 6204 and expiry Dec 2028 for the Amex I gave earlier. Cardholder Bartosz Wieczorek-Hale.", ((V, "6204"), (X, "Dec 2028"), (P, "Bartosz Wieczorek-Hale"))),
    ("insurance", "SSN 226-13-2503 belongs to the patient, Annelise Brodeur, DOB 03/21/1995, ER visit 11/29 in Burlington.", ((S, "226-13-2503"), (P, "Annelise Brodeur"), (D, "03/21/1995"), (L, "Burlington"))),
    ("chatbot", "kia ora, this is tane. my nan needs her flu jab but she's housebound in Whanganui. can a nurse come to her?", ((P, "tane"), (L, "Whanganui"))),
    ("intake_form", "SSN: 430-48-9120\nDOB: 10/01/1948\nName: Laszlo Benedek\nReason: follow-up after stroke on 08/14/2026\nCarer: niece Zsofia, 330-555-0129", ((S, "430-48-9120"), (D, "10/01/1948"), (P, "Laszlo Benedek"), (P, "Zsofia"), (T, "330-555-0129"))),
    ("chatbot", "i'm tavita, my doctor started me on prednisone 40mg for 5 days. can i have a beer?", ((P, "tavita"),)),
    ("billing_chat", "Customer: the card is 5483 3153 5709 7887\nAgent Clarissa: Thank you. Expiry date?\nCustomer: exp 08/30\nAgent Clarissa: And the security code?\nCustomer: 162", ((C, "5483 3153 5709 7887"), (P, "Clarissa", 0), (X, "08/30"), (P, "Clarissa", 1), (V, "162"))),
    ("insurance", "SSN 613-08-5277. DOB 1980-12-25. Name: Nicodemus Adjei. Address: 56 Falcon Ridge, Laramie.", ((S, "613-08-5277"), (D, "1980-12-25"), (P, "Nicodemus Adjei"), (L, "56 Falcon Ridge"), (L, "Laramie"))),
    ("chat", "Patient: hi it's ade, just wanted to say thanks to nurse jo for yesterday\nBot: Thanks ade, I'll pass that on!", ((P, "ade", 0), (P, "jo"), (P, "ade", 1))),
    ("billing", "Refund to card 3566-2619-9560-8906 please, exp 01/28, cvv 334. I was overcharged for the allergy panel.", ((C, "3566-2619-9560-8906"), (X, "01/28"), (V, "334"))),
    ("intake", "Patient: Ingeborg Saltnes, date of birth 12.12.1961, lives in Tromsø, mobile +47 912 55 308.", ((P, "Ingeborg Saltnes"), (D, "12.12.1961"), (L, "Tromsø"), (T, "+47 912 55 308"))),
    ("chatbot", "this is kalani, born 2/28/2003, can i get birth control at the student health center in Honolulu?", ((P, "kalani"), (D, "2/28/2003"), (L, "Honolulu"))),
    ("insurance", "SSN 369-79-9607. Patient DOB 04/18/1973, name Gideon Farquharson, prior auth for knee MRI scheduled 12/16/2026. Reply to g.farquharson@highlandpost.net", ((S, "369-79-9607"), (D, "04/18/1973"), (P, "Gideon Farquharson"), (E, "g.farquharson@highlandpost.net"))),
    ("chatbot", "hey its keren, my ssn is 644 65 3398 and the portal keeps rejecting it. can u fix?", ((P, "keren"), (S, "644 65 3398"))),
    ("support_ticket", "Caller verified the card on file with exp 05/26 and cvv 902, then said the card was lost. Cancel it. Caller: Ambrose Kittredge.", ((X, "05/26"), (V, "902"), (P, "Ambrose Kittredge"))),
    ("chatbot", "hi its dimitra, my son nikos (d.o.b. 01.06.2013) has a wasp sting on his hand and it's really swollen", ((P, "dimitra"), (P, "nikos"), (D, "01.06.2013"))),
    ("pharmacy", "this is guus, can i pick up my dad's insulin? he is Hendrik Vos, date of birth 7 September 1949, we're on Canal Street in Nashua", ((P, "guus"), (P, "Hendrik Vos"), (D, "7 September 1949"), (L, "Canal Street"), (L, "Nashua"))),
    ("chat", "Bot: Who is the appointment for?\nUser: my daughter imani, she's 6\nBot: And her date of birth?\nUser: 08/11/2020\nBot: Thanks! The earliest slot is 12/10 at 3:30 pm.", ((P, "imani"), (D, "08/11/2020"))),
    ("billing_chat", "Customer: hi i'm rashida, the clinic charged my visa twice. card ends 2862, expires 10/29. can you check?\nAgent Bogdana: Hi rashida, I can see both charges and will refund one.", ((P, "rashida", 0), (X, "10/29"), (P, "Bogdana"), (P, "rashida", 1))),
    ("chatbot", "i'm xavi. my girlfriend marta-luz fainted in the shower and is awake now, she's type 1 diabetic. what should i check first?", ((P, "xavi"), (P, "marta-luz"))),
    ("email", "Hello,\nplease find my details for registration: Idris Okwuosa-Lind, born 18 February 1976, 27 Orchard Mews, Cheltenham, tel. 07700 900 261.\nKind regards", ((P, "Idris Okwuosa-Lind"), (D, "18 February 1976"), (L, "27 Orchard Mews"), (L, "Cheltenham"), (T, "07700 900 261"))),
    ("chatbot", "this is stellan. i got my flu shot on 11/14 and my covid one on 11/21. born 1968-03-05. can i get the shingles one this week too?", ((P, "stellan"), (D, "1968-03-05"))),
    ("pharmacy_chat", "Customer: hi its wei, picking up for my grandma Lin Meiying, dob 1945-05-19\nPharmacist Oona: Thanks wei, it'll be ready at 5 pm.", ((P, "wei", 0), (P, "Lin Meiying"), (D, "1945-05-19"), (P, "Oona"), (P, "wei", 1))),
    ("chatbot", "hello, my name is ugo and my baby girl chidera was born 10/03/2026. she has yellow eyes still, is that normal at this age?", ((P, "ugo"), (P, "chidera"), (D, "10/03/2026"))),
    ("negative_chatbot", "Can I move my physio from 12/09 to 12/16? Same time if possible.", ()),
    ("negative_pharmacy", "Take 1 tablet every 8 hours for 7 days, starting 12/06. Do not take more than 3 tablets in 24 hours.", ()),
    ("negative_notice", "The clinic will be closed from 12/24 to 01/02. For urgent issues please use the out-of-hours service.", ()),
    ("negative_chatbot", "Please enter your date of birth in the format MM/DD/YYYY so we can find your record.", ()),
    ("negative_pharmacy", "Lot 26B114 of the insulin pens expires 03/2027; store unopened pens in the fridge at 2-8°C.", ()),
    ("negative_sms", "Your flu vaccine is due again in October. Last dose recorded: 10/14/2026.", ()),
    ("negative_billing", "We accept Visa, Mastercard and Amex. Enter the 3-digit CVV on the back of the card (4 digits on the front for Amex).", ()),
    ("negative_chatbot", "Baby due 03/18/2027 - what should I pack in the hospital bag?", ()),
    ("negative_billing", "Invoice INV-2026-4471 for $245.00 is due 12/31/2026. Late fees apply after 30 days.", ()),
    ("negative_medical", "Test results from 11/19 show HbA1c 6.8%, down from 7.4% in 08/2026. Keep the current dose of Metformin 1000 mg twice daily.", ()),
    ("negative_chatbot", "My birthday is next week and I want to plan a low-sugar cake because I'm prediabetic. Any ideas?", ()),
    ("negative_billing", "Your card expires soon. Please update your payment details before the end of the month to avoid interruption.", ()),
]


def _locate(row_id: str, text: str, item: tuple) -> tuple[str, int, int, str]:
    """(type, start, end, value) of one item; DataError names the row and value when it is ambiguous."""
    if len(item) not in (2, 3):
        raise DataError(f"{row_id}: item {item!r} must be (TYPE, value) or (TYPE, value, occurrence)")
    kind, value = item[0], item[1]
    starts, at = [], text.find(value)
    while at != -1:
        starts.append(at)
        at = text.find(value, at + 1)
    if len(item) == 3:
        index = item[2]
        if not 0 <= index < len(starts):
            raise DataError(f"{row_id}: value {value!r} occurrence {index} asked for, found {len(starts)} times")
        start = starts[index]
    elif len(starts) != 1:
        raise DataError(f"{row_id}: value {value!r} found {len(starts)} times; give an occurrence index")
    else:
        start = starts[0]
    end = start + len(value)
    if (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
        raise DataError(f"{row_id}: value {value!r} at {start} is part of a longer word or number")
    return kind, start, end, value


def build_rows() -> list[dict]:
    """The labelled rows, with offsets computed from the values; DataError on any bad item."""
    rows = []
    for number, (kind, text, items) in enumerate(ROWS, start=1):
        row_id = f"n{number:04d}"
        entities = [dict(zip(("type", "start", "end", "value"), _locate(row_id, text, it))) for it in items]
        entities.sort(key=lambda e: (e["start"], e["end"]))
        for a, b in zip(entities, entities[1:]):
            if a["end"] > b["start"]:
                raise DataError(f"{row_id}: items {a['value']!r} and {b['value']!r} overlap")
        if kind.startswith("negative") != (not entities):
            raise DataError(f"{row_id}: kind {kind!r} does not match its {len(entities)} items")
        rows.append({"id": row_id, "kind": kind, "split": SPLIT, "text": text, "entities": entities})
    return rows


def render(rows: list[dict] | None = None) -> str:
    """The .jsonl text: one row per line."""
    rows = build_rows() if rows is None else rows
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main(out: Path = OUT) -> int:
    """Write the set atomically (temp file in the same folder, then rename)."""
    try:
        text = render()
    except DataError as exc:
        print(f"{Path(__file__).name}: {exc}", file=sys.stderr)
        return 1
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"wrote {out} ({text.count(chr(10))} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
