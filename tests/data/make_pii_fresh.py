"""Fresh, independent labelled PII test set for the PII redaction benchmark.

Data written on 2026-12-05 by an AI assistant (Claude) working as a helper session for the Workbench
lead. Every sentence was written by hand, one at a time (not templated, no slots filled in a loop),
and none was ever run through Workbench's redactor, Presidio or spaCy: no sentence or label was chosen
by looking at what a recogniser finds. Card numbers (Luhn), IBANs (mod-97) and all but two SSNs were
produced once by a small seeded generator (not kept) and pasted into the sentences as literals; the
two hand-typed SSNs obey the same rules, which tests/test_pii_fresh_data.py checks for every value.

Label conventions: PERSON is the name only (no "Dr", "Mr", "Ms", "Maître", "Professor"); LOCATION is
a place name (city, country, region, state, river, mountain), never an organisation, a street or a
nationality; a URL that contains an e-mail-looking part or an IP address is one URL; a phone
number's span stops before a trailing extension ("ext. 204", "x12"); dates, ages, amounts and
organisations are never labelled. Rows with kind "negative_*" hold look-alikes and no PII (entities: []).

Run `python tests/data/make_pii_fresh.py` to rewrite tests/data/pii_fresh.jsonl (byte-identical on
every run); `--check` only compares and exits 1 when the file differs.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().with_name("pii_fresh.jsonl")

P = "PERSON"
L = "LOCATION"
E = "EMAIL_ADDRESS"
PH = "PHONE_NUMBER"
CC = "CREDIT_CARD"
SSN = "US_SSN"
IB = "IBAN_CODE"
IP = "IP_ADDRESS"
U = "URL"

ENTITY_TYPES = (P, L, E, PH, CC, SSN, IB, IP, U)

# The minimum number of planted items per type (and of negative rows) that the set must hold.
MINIMUMS = {P: 120, L: 40, E: 25, PH: 25, CC: 20, SSN: 20, IB: 20, IP: 20, U: 20}
MIN_NEGATIVE_ROWS = 50
MIN_ROWS = 260

# (kind, text, [(type, value) or (type, value, occurrence)]).  `value` must occur exactly once in
# `text` unless an occurrence index (0-based, counting every occurrence of the substring) is given.
ROWS = [
    # ---- chatbot questions
    ("chat", "Can you help me write a birthday message for my sister Ingrid? She turns 40 next week and just moved to Trondheim.",
     [(P, "Ingrid"), (L, "Trondheim")]),
    ("chat", "My neighbour Mr. Adeyemi keeps parking across my driveway. How do I bring it up without starting a feud?",
     [(P, "Adeyemi")]),
    ("chat", "Write a short toast for my best friend's wedding. Her name is Nguyễn Thị Lan and the groom is Daniel Whitaker; they met in Hanoi.",
     [(P, "Nguyễn Thị Lan"), (P, "Daniel Whitaker"), (L, "Hanoi")]),
    ("chat", "What's a polite way to tell my coworker Bartholomew that his music is too loud?",
     [(P, "Bartholomew")]),
    ("chat", "Jürgen and I are planning a cycling trip along the Danube from Passau to Vienna. How many days should we budget?",
     [(P, "Jürgen"), (L, "Danube"), (L, "Passau"), (L, "Vienna")]),
    ("chat", "Translate this for my grandmother Wanjiru: 'we will arrive in Nairobi on Sunday evening'.",
     [(P, "Wanjiru"), (L, "Nairobi")]),
    ("chat", "Mei Ling's cat is throwing up after eating grass, should she be worried?",
     [(P, "Mei Ling")]),
    ("chat", "Who should I put down as my emergency contact, my brother Tomás or my flatmate Kwame Asante?",
     [(P, "Tomás"), (P, "Kwame Asante")]),
    ("chat", "Summarise this email from Rebecca Stein-Morales about the Q3 targets in three bullet points.",
     [(P, "Rebecca Stein-Morales")]),
    ("chat", "Grace said the exam was moved to Thursday. Can you make me a revision plan for the next four days?",
     [(P, "Grace")]),
    ("chat", "Help me reply to Will, he asked if I can cover his shift on Saturday and I really can't.",
     [(P, "Will")]),
    ("chat", "Draft a thank-you note to Professor Yamamoto for the recommendation letter he wrote me.",
     [(P, "Yamamoto")]),
    ("chat", "Is it weird to invite my ex, Jonah, to my thirtieth if we're still friends?",
     [(P, "Jonah")]),
    ("chat", "Explain to me like I'm five why the sky over Lagos looks orange in the harmattan season.",
     [(L, "Lagos")]),
    ("chat", "My daughter Saoirse wants to study marine biology. Are there good programmes in Galway or should she look at Plymouth?",
     [(P, "Saoirse"), (L, "Galway"), (L, "Plymouth")]),

    # ---- customer support
    ("support", "Hi, this is Siobhán O'Sullivan, my order never arrived. You can reach me at siobhan.osullivan@eircom.net or +353 87 214 5590.",
     [(P, "Siobhán O'Sullivan"), (E, "siobhan.osullivan@eircom.net"), (PH, "+353 87 214 5590")]),
    ("support", "The parcel was signed for by someone called J. Hargreaves but nobody in our house has that name.",
     [(P, "J. Hargreaves")]),
    ("support", "Please change the delivery address to 14 Rue des Lilas, 69003 Lyon, France. Thanks, Amélie Rousseau",
     [(L, "Lyon"), (L, "France"), (P, "Amélie Rousseau")]),
    ("support", "I can't log in. My account email is RAJ.IYER84@GMAIL.COM and the reset link never comes.",
     [(E, "RAJ.IYER84@GMAIL.COM")]),
    ("support", "Callback requested: Mrs. Halvorsen, 0412 345 678, prefers mornings.",
     [(P, "Halvorsen"), (PH, "0412 345 678")]),
    ("support", "Can someone from billing call me back on (312) 555-0178? Ask for Dolores.",
     [(PH, "(312) 555-0178"), (P, "Dolores")]),
    ("support", "Your agent Kevin was really rude to me on the phone yesterday. I want to speak to a manager.",
     [(P, "Kevin")]),
    ("support", "Order placed by Oleksandr Kovalenko, shipping to Kharkiv. Customs says the phone number +380 67 431 2290 is missing from the label.",
     [(P, "Oleksandr Kovalenko"), (L, "Kharkiv"), (PH, "+380 67 431 2290")]),
    ("support", "router keeps dropping, my public ip is 81.2.69.160 if that helps. modem model TG-3442",
     [(IP, "81.2.69.160")]),
    ("support", "I was told by Fatima at your Casablanca branch that the refund takes 10 days. It has been 25.",
     [(P, "Fatima"), (L, "Casablanca")]),
    ("support", "Hello, I subscribed with maria.jose.ferreira+news@sapo.pt by mistake, please take me off the list.",
     [(E, "maria.jose.ferreira+news@sapo.pt")]),
    ("support", "Unsubscribe link is broken: https://mailer.shopnest.io/unsubscribe?u=pat.obrien@example.org&list=7 just shows a 404.",
     [(U, "https://mailer.shopnest.io/unsubscribe?u=pat.obrien@example.org&list=7")]),
    ("support", "Ticket #88412 - customer Björn Åkesson (bjorn.akesson@telia.se) reports the app crashes when he opens the map of Malmö.",
     [(P, "Björn Åkesson"), (E, "bjorn.akesson@telia.se"), (L, "Malmö")]),
    ("support", "My husband Rashid placed the order with my card 4218 1953 3699 4734 but it was meant to go on his. Can you swap it?",
     [(P, "Rashid"), (CC, "4218 1953 3699 4734")]),
    ("support", "Hi there, the invoice should be addressed to Dr. Femi Adebayo, not to me. Thanks! - Ngozi",
     [(P, "Femi Adebayo"), (P, "Ngozi")]),
    ("support", "Escalating on behalf of Ms Park Ji-woo: she was charged twice and has called 415.555.0198 three times with no answer.",
     [(P, "Park Ji-woo"), (PH, "415.555.0198")]),

    # ---- medical
    ("medical", "Dr. Okonkwo-Bello told me to take the metformin with food but I keep forgetting. Is skipping a dose dangerous?",
     [(P, "Okonkwo-Bello")]),
    ("medical", "My son Elías has had a fever of 39 for three days. The clinic in Valencia said to wait, but should we go to A&E?",
     [(P, "Elías"), (L, "Valencia")]),
    ("medical", "Patient: Ruth Abernathy, 72, referred by Dr Sandeep Kulkarni for a cardiology consult. Contact daughter at 646 555 0123.",
     [(P, "Ruth Abernathy"), (P, "Sandeep Kulkarni"), (PH, "646 555 0123")]),
    ("medical", "Is it normal for my mother's hands to shake after starting lithium? Her psychiatrist, Dr. Lindqvist, is away until June.",
     [(P, "Lindqvist")]),
    ("medical", "Booked a skin check through https://calendly.com/dr-haddad-derm/30min but never got a confirmation email.",
     [(U, "https://calendly.com/dr-haddad-derm/30min")]),
    ("medical", "The intake form asks for my SSN, is it safe to write 172 13 3720 on a paper form at reception?",
     [(SSN, "172 13 3720")]),
    ("medical", "My GP in Glasgow, Dr. MacLeod, wants me on statins at 38. Is that unusual?",
     [(L, "Glasgow"), (P, "MacLeod")]),
    ("medical", "Results are supposed to be in the portal at https://myhealth.stlukes-clinic.org/portal/login?next=/results but it keeps timing out.",
     [(U, "https://myhealth.stlukes-clinic.org/portal/login?next=/results")]),
    ("medical", "Nurse Adaeze Nwosu said the stitches come out in 10 days; can I shower before then?",
     [(P, "Adaeze Nwosu")]),
    ("medical", "Referral for Mr. Dimitrios Papadopoulos, DOB 02/11/1956, SSN 449-06-0166, to the sleep clinic in Athens.",
     [(P, "Dimitrios Papadopoulos"), (SSN, "449-06-0166"), (L, "Athens")]),
    ("medical", "my dad (harold) keeps forgetting his insulin at night, any apps that can remind him??",
     [(P, "harold")]),
    ("medical", "Please send the MRI images to Dr. Ilse Vermeulen at i.vermeulen@uzleuven-radiologie.be before Thursday.",
     [(P, "Ilse Vermeulen"), (E, "i.vermeulen@uzleuven-radiologie.be")]),
    ("medical", "We are flying back to Manila next week, can my grandmother Corazon bring her oxygen concentrator on the plane?",
     [(L, "Manila"), (P, "Corazon")]),
    ("medical", "Appointment reminder for Aarav Shah: physiotherapy Tuesday 9:40, call +91 98765 43210 to reschedule.",
     [(P, "Aarav Shah"), (PH, "+91 98765 43210")]),

    # ---- legal
    ("legal", "My landlord, Gregory Pham, is refusing to return my deposit after I moved out of the flat in Leeds. What are my options?",
     [(P, "Gregory Pham"), (L, "Leeds")]),
    ("legal", "Can my ex-husband take our daughter to Brazil without my consent? We live in Ontario and share custody.",
     [(L, "Brazil"), (L, "Ontario")]),
    ("legal", "We act for Ms. Akosua Boateng in her claim against her former employer; please send all correspondence to chambers@kufuor-law.com.gh.",
     [(P, "Akosua Boateng"), (E, "chambers@kufuor-law.com.gh")]),
    ("legal", "Witness statement: I saw Darnell Price and another man leave the shop around 11pm, then drive off in a silver car.",
     [(P, "Darnell Price")]),
    ("legal", "Is a will valid in Scotland if only one witness signed it? My uncle Hamish wrote it himself.",
     [(L, "Scotland"), (P, "Hamish")]),
    ("legal", "The notary, Maître Hélène Dubois, asked us to wire the deposit to FR36 9861 7560 2205 2737 6316 725 before signing.",
     [(P, "Hélène Dubois"), (IB, "FR36 9861 7560 2205 2737 6316 725")]),
    ("legal", "Do I have to tell a new employer about a caution I got in Dublin ten years ago?",
     [(L, "Dublin")]),
    ("legal", "Power of attorney for Jiří Dvořák, resident of Brno, Czech Republic, granted to his son Petr.",
     [(P, "Jiří Dvořák"), (L, "Brno"), (L, "Czech Republic"), (P, "Petr")]),
    ("legal", "The defendant, Luca Bianchi, gave his address as an apartment in Turin and his phone as +39 06 6982 1234.",
     [(P, "Luca Bianchi"), (L, "Turin"), (PH, "+39 06 6982 1234")]),
    ("legal", "Can my employer in Texas ask for my social security number 766-08-6980 before they even make an offer?",
     [(L, "Texas"), (SSN, "766-08-6980")]),
    ("legal", "Settlement funds for the estate of the late Margarethe Huber are to be paid into AT56 5943 0887 9416 9138.",
     [(P, "Margarethe Huber"), (IB, "AT56 5943 0887 9416 9138")]),

    # ---- HR
    ("hr", "Please forward the signed offer letter to Priya Raghunathan in payroll, she needs it before Friday.",
     [(P, "Priya Raghunathan")]),
    ("hr", "New starter: Emre Yıldız, starts 3 March, based in Istanbul, manager Sophie Brandt. Laptop to be shipped to his home.",
     [(P, "Emre Yıldız"), (L, "Istanbul"), (P, "Sophie Brandt")]),
    ("hr", "A complaint was filed against team lead Marcus O'Neill by two people on his team; the HR contact is Yolanda Reyes.",
     [(P, "Marcus O'Neill"), (P, "Yolanda Reyes")]),
    ("hr", "The SSN on the W-4 was typed as 440804687, can you double check it against the paper copy?",
     [(SSN, "440804687")]),
    ("hr", "Salary for Anastasia Volkova should go to her new account NL96 DZCJ 3205 5470 74 from next month.",
     [(P, "Anastasia Volkova"), (IB, "NL96 DZCJ 3205 5470 74")]),
    ("hr", "cc: Thandiwe Mokoena, Lars Eriksen\nRe: annual leave carry-over for the Cape Town office",
     [(P, "Thandiwe Mokoena"), (P, "Lars Eriksen"), (L, "Cape Town")]),
    ("hr", "Reference check: Dariush Karimi worked with us from 2017 to 2021 as a data analyst. His former manager is on +49 30 12345678.",
     [(P, "Dariush Karimi"), (PH, "+49 30 12345678")]),
    ("hr", "Interview panel: Ana Beatriz Costa, Kenji Watanabe, Chloé Martin and myself. The candidate flies in from Montréal.",
     [(P, "Ana Beatriz Costa"), (P, "Kenji Watanabe"), (P, "Chloé Martin"), (L, "Montréal")]),
    ("hr", "Exit interview notes: Keoni said he is moving back to Hilo to look after his parents.",
     [(P, "Keoni"), (L, "Hilo")]),
    ("hr", "Payroll: the W-2 for Sean Delaney lists SSN 621 07 4766, please verify before we file.",
     [(P, "Sean Delaney"), (SSN, "621 07 4766")]),
    ("hr", "Can I refuse to share my personal mobile (07700 900461) with my manager for out-of-hours calls?",
     [(PH, "07700 900461")]),
    ("hr", "Rota change: Bongani swaps his Sunday with Aigerim, and Mateus covers Monday night.",
     [(P, "Bongani"), (P, "Aigerim"), (P, "Mateus")]),
    ("hr", "Background check form - full legal name: Maria Clara Santos; SSN 498-46-3291; previous address: Quezon City, Philippines.",
     [(P, "Maria Clara Santos"), (SSN, "498-46-3291"), (L, "Quezon City"), (L, "Philippines")]),
    ("hr", "Congratulations to Fiona Gallagher-Boyd on ten years with the company! Cake in the kitchen at 3.",
     [(P, "Fiona Gallagher-Boyd")]),
    ("hr", "Relocation package for Wei Zhang: moving from Shenzhen to Rotterdam, family of four, start in August.",
     [(P, "Wei Zhang"), (L, "Shenzhen"), (L, "Rotterdam")]),

    # ---- travel
    ("travel", "We land in Reykjavík at 6am and want to drive to Vík the same day, is that realistic in February?",
     [(L, "Reykjavík"), (L, "Vík")]),
    ("travel", "Is the night train from Munich to Rome still running? My partner Giulia gets airsick.",
     [(L, "Munich"), (L, "Rome"), (P, "Giulia")]),
    ("travel", "Booking under the name Somchai Srisuk, two adults, arriving in Chiang Mai on the 14th. Contact: somchai.s@thaimail.co.th",
     [(P, "Somchai Srisuk"), (L, "Chiang Mai"), (E, "somchai.s@thaimail.co.th")]),
    ("travel", "Best way to get from Addis Ababa to Lalibela? Flying or the bus?",
     [(L, "Addis Ababa"), (L, "Lalibela")]),
    ("travel", "Our Airbnb in Porto (https://www.airbnb.com/rooms/48213377) has no hot water and the host, Rui, doesn't answer.",
     [(L, "Porto"), (U, "https://www.airbnb.com/rooms/48213377"), (P, "Rui")]),
    ("travel", "visa question: i'm a uk citizen living in dubai, can i enter saudi arabia on an e-visa?",
     [(L, "uk"), (L, "dubai"), (L, "saudi arabia")]),
    ("travel", "Travelling with my grandfather Mohammed Al-Rashid, who uses a wheelchair. Does the airport in Doha provide assistance?",
     [(P, "Mohammed Al-Rashid"), (L, "Doha")]),
    ("travel", "The hotel wants a callback on +81 3-3224-5000 about our room in Kyoto, booked under Haruto Sato.",
     [(PH, "+81 3-3224-5000"), (L, "Kyoto"), (P, "Haruto Sato")]),
    ("travel", "Road trip idea: Santa Fe to Moab through Durango in 3 days. Too rushed?",
     [(L, "Santa Fe"), (L, "Moab"), (L, "Durango")]),
    ("travel", "Lost my passport in Bangkok. The embassy number I have is +66 2 205 4000, is that still right?",
     [(L, "Bangkok"), (PH, "+66 2 205 4000")]),
    ("travel", "Is Patagonia in December too windy for camping with two kids?",
     [(L, "Patagonia")]),
    ("travel", "Meet Zsófia at the main station entrance in Budapest, she'll be holding a red umbrella.",
     [(P, "Zsófia"), (L, "Budapest")]),
    ("travel", "Can we see the northern lights from Tromsø in late March, or is it already too bright?",
     [(L, "Tromsø")]),
    ("travel", "Itinerary for the Algarve: fly into Faro, two nights in Lagos, then Sagres. Driver is Joaquim, +351 912 345 678.",
     [(L, "Algarve"), (L, "Faro"), (L, "Lagos"), (L, "Sagres"), (P, "Joaquim"), (PH, "+351 912 345 678")]),
    ("travel", "Ferry from Split to Hvar, do I need to book ahead in July? Travelling with Ivana and her sister Marija.",
     [(L, "Split"), (L, "Hvar"), (P, "Ivana"), (P, "Marija")]),
    ("travel", "Climbing Kilimanjaro in September with our guide Baraka. What gear should I not skimp on?",
     [(L, "Kilimanjaro"), (P, "Baraka")]),
    ("travel", "Rental car pickup in Christchurch, drop-off in Queenstown. Charged to Amex 3758 973226 98941, name on card Nikolai Petrov.",
     [(L, "Christchurch"), (L, "Queenstown"), (CC, "3758 973226 98941"), (P, "Nikolai Petrov")]),

    # ---- finance
    ("finance", "I sent 250 EUR to IBAN DE94 6917 1068 0861 6835 28 last Tuesday and it still shows pending. Who do I call?",
     [(IB, "DE94 6917 1068 0861 6835 28")]),
    ("finance", "Please pay invoice 2291 to GB85FYTH65813291935641 with the reference KITCHEN-2291.",
     [(IB, "GB85FYTH65813291935641")]),
    ("finance", "My husband Rafael and I have a joint account, can he open a Roth IRA in his name only?",
     [(P, "Rafael")]),
    ("finance", "A transfer from ES94 6109 4416 3523 0682 1028 bounced with error AC01, what does that mean?",
     [(IB, "ES94 6109 4416 3523 0682 1028")]),
    ("finance", "Card 5122 6643 3687 0097 was charged twice for the same taxi ride in Toronto.",
     [(CC, "5122 6643 3687 0097"), (L, "Toronto")]),
    ("finance", "Can I claim my mum, Lakshmi Narayanan, as a dependant if she lives with us in Chennai half the year?",
     [(P, "Lakshmi Narayanan"), (L, "Chennai")]),
    ("finance", "Our tax preparer needs my SSN and my wife's: 285-47-0721 and 383-92-2794. Is email safe for that?",
     [(SSN, "285-47-0721"), (SSN, "383-92-2794")]),
    ("finance", "Please charge the remaining balance to my Visa 4069 0067 9218 8143, expiry 09/27.",
     [(CC, "4069 0067 9218 8143")]),
    ("finance", "card no 4280666653510348 got declined at the hotel in Lisbon, wtf",
     [(CC, "4280666653510348"), (L, "Lisbon")]),
    ("finance", "The fraudulent payment was on card 4589-3861-7619-9085; I still have the card, so it must have been skimmed.",
     [(CC, "4589-3861-7619-9085")]),
    ("finance", "Hi, I'm Camille Laurent and I'd like to dispute a charge on 4598 9873 1057 6036 from a merchant in Marseille.",
     [(P, "Camille Laurent"), (CC, "4598 9873 1057 6036"), (L, "Marseille")]),
    ("finance", "Rent goes to my landlady Frau Schäfer, IBAN DE30453450840445627367, on the first of each month.",
     [(P, "Schäfer"), (IB, "DE30453450840445627367")]),
    ("finance", "Is it normal that my bank in Zurich asks for the full IBAN CH36 2641 8669 0455 7001 6 over the phone?",
     [(L, "Zurich"), (IB, "CH36 2641 8669 0455 7001 6")]),
    ("finance", "The Mastercard ending 0550 (full number 2221 1775 1937 0550) shows a charge from a shop in Osaka I never visited.",
     [(CC, "2221 1775 1937 0550"), (L, "Osaka")]),
    ("finance", "Split the dinner bill: Hugo paid, so Yasmin, Ifeoma and Per each owe him 42 euros.",
     [(P, "Hugo"), (P, "Yasmin"), (P, "Ifeoma"), (P, "Per")]),
    ("finance", "Refund should go back to the Discover card 6011-5633-3898-0957, not store credit.",
     [(CC, "6011-5633-3898-0957")]),
    ("finance", "Wire details for the deposit: beneficiary Stichting Hofje, IBAN NL32ZEQG7818838128, bank in Utrecht.",
     [(IB, "NL32ZEQG7818838128"), (L, "Utrecht")]),
    ("finance", "Direct debit mandate: account holder Paulina Wiśniewska, IBAN PL16 6206 9860 0451 2477 1645 8098.",
     [(P, "Paulina Wiśniewska"), (IB, "PL16 6206 9860 0451 2477 1645 8098")]),
    ("finance", "Can I still deduct the loan interest if my co-signer Bruno Tavares moved back to Portugal?",
     [(P, "Bruno Tavares"), (L, "Portugal")]),

    # ---- forum posts
    ("forum", "anyone from Kraków know a good vet for exotic birds? my cockatiel is sick. thx, Tomasz",
     [(L, "Kraków"), (P, "Tomasz")]),
    ("forum", "Update: Dr. Achterberg at the Nijmegen clinic finally diagnosed it as Lyme. Posting so others don't wait two years like me.",
     [(P, "Achterberg"), (L, "Nijmegen")]),
    ("forum", "Selling my old road bike, pickup in Bristol only. Text 07911 123456 and ask for Callum.",
     [(L, "Bristol"), (PH, "07911 123456"), (P, "Callum")]),
    ("forum", "Shoutout to Beatriz Oliveira who fixed my boiler on a Sunday for a fair price. Highly recommend if you're in Coimbra.",
     [(P, "Beatriz Oliveira"), (L, "Coimbra")]),
    ("forum", "Our fundraiser for the Kahale family farm is at https://www.gofundme.com/f/help-rebuild-the-kahale-farm - every bit helps.",
     [(P, "Kahale"), (U, "https://www.gofundme.com/f/help-rebuild-the-kahale-farm")]),
    ("forum", "My dotfiles are on https://github.com/rkovacs/dotfiles if anyone wants the tmux config.",
     [(U, "https://github.com/rkovacs/dotfiles")]),
    ("forum", "PSA: someone is posting fake listings using Gabriel Mendoza's photos. The real Gabriel lives in Tucson and never sells online.",
     [(P, "Gabriel Mendoza"), (P, "Gabriel", 1), (L, "Tucson")]),
    ("forum", "Does anyone know if the farmers market in Asheville is still on Saturdays? Asking for my aunt Dorothy.",
     [(L, "Asheville"), (P, "Dorothy")]),
    ("forum", "I'm hosting a fantasy book club in Wellington, message Aroha Te Rangi if you want in.",
     [(L, "Wellington"), (P, "Aroha Te Rangi")]),
    ("forum", "Recipe credit goes to my nonna, Rosaria Esposito, who made this every Easter in Naples.",
     [(P, "Rosaria Esposito"), (L, "Naples")]),
    ("forum", "Photos of the flood damage in Porto Alegre are on instagram.com/sofia.bakes.poa, my friend Sofia lost her bakery.",
     [(L, "Porto Alegre"), (U, "instagram.com/sofia.bakes.poa"), (P, "Sofia")]),
    ("forum", "Great talk by Oluwaseun Bakare on Rust async at the meetup in Accra; slides at bit.ly/3Qx8LmZ",
     [(P, "Oluwaseun Bakare"), (L, "Accra"), (U, "bit.ly/3Qx8LmZ")]),
    ("forum", "Lost dog near Lake Bled! Brown labrador, answers to Biscuit. Call Matej on +386 41 555 218.",
     [(L, "Lake Bled"), (P, "Matej"), (PH, "+386 41 555 218")]),

    # ---- e-mails
    ("email", "Hi Lena,\n\nattached is the revised budget. Let me know if the Q3 numbers look right.\n\nBest,\nMarcus Feldmann",
     [(P, "Lena"), (P, "Marcus Feldmann")]),
    ("email", "Dear Mr. Oyelaran,\nThank you for your application. Please confirm your availability for an interview by replying to recruiting@brightwell-partners.com.",
     [(P, "Oyelaran"), (E, "recruiting@brightwell-partners.com")]),
    ("email", "From: Caroline Ashworth <c.ashworth@ashworth-associates.co.uk>\nTo: Deepak Menon\nSubject: Lease renewal for the Manchester office",
     [(P, "Caroline Ashworth"), (E, "c.ashworth@ashworth-associates.co.uk"), (P, "Deepak Menon"), (L, "Manchester")]),
    ("email", "Thanks for today! As promised, the recording is here: https://zoom.us/j/93822174455?pwd=Zk9wT2xQ\n\nCheers, Ines",
     [(U, "https://zoom.us/j/93822174455?pwd=Zk9wT2xQ"), (P, "Ines")]),
    ("email", "Hello team, Søren Kjær will cover for me while I'm on leave. Urgent matters: soren.kjaer@nordlys.dk or +45 32 64 19 87.",
     [(P, "Søren Kjær"), (E, "soren.kjaer@nordlys.dk"), (PH, "+45 32 64 19 87")]),
    ("email", "Kind regards,\nDr. Noa Ben-David\nDepartment of Microbiology\nTel. +972 3 640 8111 | noa.bendavid@post.tau.ac.il",
     [(P, "Noa Ben-David"), (PH, "+972 3 640 8111"), (E, "noa.bendavid@post.tau.ac.il")]),
    ("email", "Hi both, looping in Alejandro Ruiz from our Madrid team, he can help with the Spanish invoices. Alejandro: +34 912 345 678.",
     [(P, "Alejandro Ruiz"), (L, "Madrid"), (P, "Alejandro", 1), (PH, "+34 912 345 678")]),
    ("email", "Please find the shared folder at https://drive.google.com/drive/folders/1aB2c3D4e5F6g7H8iJ, access was granted to Tanvir.",
     [(U, "https://drive.google.com/drive/folders/1aB2c3D4e5F6g7H8iJ"), (P, "Tanvir")]),
    ("email", "Best wishes from Vancouver,\nEmily & Josh\nemily.josh.wedding2025@outlook.com",
     [(L, "Vancouver"), (P, "Emily"), (P, "Josh"), (E, "emily.josh.wedding2025@outlook.com")]),
    ("email", "Re: invoice 553\nHi Mr. Kowalczyk, the payment reached our account PT91 8904 6290 0600 8736 1607 1 this morning. Regards, Inês Marques",
     [(P, "Kowalczyk"), (IB, "PT91 8904 6290 0600 8736 1607 1"), (P, "Inês Marques")]),
    ("email", "Hi Aisling, can you send the contract to Gerry at gerry.fitzpatrick@corkharbour.ie? He's back from Cork on Monday.",
     [(P, "Aisling"), (P, "Gerry"), (E, "gerry.fitzpatrick@corkharbour.ie"), (L, "Cork")]),
    ("email", "Sent from my iPhone\n\nOn 4 May, Hannah Goldberg <hgoldberg@cedarview.org> wrote:\n> Are we still on for Friday?",
     [(P, "Hannah Goldberg"), (E, "hgoldberg@cedarview.org")]),
    ("email", "Please reply to info@casa-verde-oaxaca.mx with your arrival time; Doña Carmen will meet you at the airport in Oaxaca.",
     [(E, "info@casa-verde-oaxaca.mx"), (P, "Carmen"), (L, "Oaxaca")]),

    # ---- chat logs
    ("chatlog", "[09:14] Anika: can someone reset my vpn token\n[09:15] Bruno: on it, what's your IP?\n[09:16] Anika: 172.16.40.7",
     [(P, "Anika", 0), (P, "Bruno"), (P, "Anika", 1), (IP, "172.16.40.7")]),
    ("chatlog", "agent: can you confirm the long number on the card?\ncustomer: 4004 5541 0813 9886 exp 11/26\nagent: thank you Mr Delgado",
     [(CC, "4004 5541 0813 9886"), (P, "Delgado")]),
    ("chatlog", "Olumide: who's picking up Tobi from football?\nKemi: I thought you were\nOlumide: I'm still in Ibadan lol",
     [(P, "Olumide", 0), (P, "Tobi"), (P, "Kemi"), (P, "Olumide", 1), (L, "Ibadan")]),
    ("chatlog", "User: my ssn is 016-17-9891, can you check if my refund was processed?\nBot: I can't access tax records, sorry.",
     [(SSN, "016-17-9891")]),
    ("chatlog", "<deploybot> the staging box is at 10.0.3.17 again\n<marta> thx, and prod is still 2001:db8:85a3::8a2e:370:7334?",
     [(IP, "10.0.3.17"), (P, "marta"), (IP, "2001:db8:85a3::8a2e:370:7334")]),
    ("chatlog", "Hyun-woo: did you send the slides to Professor Choi?\nMinji: yes, and cc'd Seo-yeon",
     [(P, "Hyun-woo"), (P, "Choi"), (P, "Minji"), (P, "Seo-yeon")]),
    ("chatlog", "Customer: I'm at 2 Harbour View, Cobh, can the driver call 087 654 3210 when he's outside?\nAgent: sure, noted.",
     [(L, "Cobh"), (PH, "087 654 3210")]),
    ("chatlog", "Bot: what's the best number to reach you?\nUser: +1 (617) 555-0163, after 5pm Boston time",
     [(PH, "+1 (617) 555-0163"), (L, "Boston")]),

    # ---- forms / structured text
    ("form", "Name: Abebe Tesfaye\nDOB: 14/03/1988\nSSN: 531-19-1218\nPhone: 1-800-555-0199",
     [(P, "Abebe Tesfaye"), (SSN, "531-19-1218"), (PH, "1-800-555-0199")]),
    ("form", "Update billing - new card: 4372 8731 9235 6394, billing ZIP 97205, name on card: Connor Walsh",
     [(CC, "4372 8731 9235 6394"), (P, "Connor Walsh")]),
    ("form", "Applicant: Fatima Zahra Benali | City: Rabat | Email: fz.benali@menara.ma | Mobile: +212 661 23 45 67",
     [(P, "Fatima Zahra Benali"), (L, "Rabat"), (E, "fz.benali@menara.ma"), (PH, "+212 661 23 45 67")]),
    ("form", "emergency_contact=Kaito Nakamura; phone=090-1234-5678; relation=spouse",
     [(P, "Kaito Nakamura"), (PH, "090-1234-5678")]),
    ("form", "Payee: Seamus Brennan\nIBAN: IE55 TDKR 6062 5500 7068 06\nAmount: 1,200.00 EUR",
     [(P, "Seamus Brennan"), (IB, "IE55 TDKR 6062 5500 7068 06")]),
    ("form", "SSN 001 96 8402 / tax year 2023 / filing status: married filing jointly / spouse: Lorraine Whitfield",
     [(SSN, "001 96 8402"), (P, "Lorraine Whitfield")]),
    ("form", "Shipping to: Attn. Henrik Lund, Storgatan 12, 411 38 Göteborg, Sweden. Tel +46 8 123 456 78.",
     [(P, "Henrik Lund"), (L, "Göteborg"), (L, "Sweden"), (PH, "+46 8 123 456 78")]),
    ("form", "Website: kittenrescue-ottawa.ca\nContact person: Geneviève Tremblay\nCity: Ottawa",
     [(U, "kittenrescue-ottawa.ca"), (P, "Geneviève Tremblay"), (L, "Ottawa")]),
    ("form", "Card holder: Valentina Greco\nCard number: 5312-3742-4366-4514\nExpiry: 04/28",
     [(P, "Valentina Greco"), (CC, "5312-3742-4366-4514")]),
    ("form", "Last login: 2a02:8108:1940:4a80:d5f1:3c2e:9b07:11fe (Hamburg, Germany)",
     [(IP, "2a02:8108:1940:4a80:d5f1:3c2e:9b07:11fe"), (L, "Hamburg"), (L, "Germany")]),
    ("form", "Beneficiary name: Ahmad Farouk\nBank country: Belgium\nAccount (IBAN): BE37069624199556",
     [(P, "Ahmad Farouk"), (L, "Belgium"), (IB, "BE37069624199556")]),

    # ---- sloppy lower-case chat
    ("sloppy_chat", "lol did u see what kevin posted in the group chat",
     [(P, "kevin")]),
    ("sloppy_chat", "tell jess i said hi and that ill be in leeds friday",
     [(P, "jess"), (L, "leeds")]),
    ("sloppy_chat", "omg priyanka's wedding in jaipur was insane, 3 days of dancing",
     [(P, "priyanka"), (L, "jaipur")]),
    ("sloppy_chat", "can u ask mohammed if hes still selling the ps5? his number is 0176 2345 6789",
     [(P, "mohammed"), (PH, "0176 2345 6789")]),
    ("sloppy_chat", "my email is dj_kofi99@yahoo.com just send it there pls",
     [(E, "dj_kofi99@yahoo.com")]),
    ("sloppy_chat", "ugh bank wants my ssn again... its 135640533 can u fill the form for me",
     [(SSN, "135640533")]),
    ("sloppy_chat", "me n lucía r driving to sevilla tmrw, want to come??",
     [(P, "lucía"), (L, "sevilla")]),
    ("sloppy_chat", "pay me back to GB14LGMW43702483633511 whenever, no rush mate",
     [(IB, "GB14LGMW43702483633511")]),
    ("sloppy_chat", "who even is dr. fairweather, never heard of her before today",
     [(P, "fairweather")]),
    ("sloppy_chat", "yo marcus n deshawn said the game is at 7 not 6",
     [(P, "marcus"), (P, "deshawn")]),
    ("sloppy_chat", "ok so my cousin ayşe just moved to berlin and doesnt know anyone, any1 wanna show her around",
     [(P, "ayşe"), (L, "berlin")]),
    ("sloppy_chat", "here's the link to my shop paypal.me/joaopedroalves thx!!",
     [(U, "paypal.me/joaopedroalves")]),
    ("sloppy_chat", "its 06 12 34 56 78 call me when ur outside, elodie",
     [(PH, "06 12 34 56 78"), (P, "elodie")]),
    ("sloppy_chat", "whats the wifi here? my laptop shows 169.254.12.77 lmao",
     [(IP, "169.254.12.77")]),
    ("sloppy_chat", "my card 5543662003189172 keeps getting declined on steam wtf",
     [(CC, "5543662003189172")]),

    # ---- IT operations / developer questions
    ("it_ops", "Server 10.24.8.131 stopped answering on 443 after the patch; the rollback ticket is assigned to Hiroshi Tanaka.",
     [(IP, "10.24.8.131"), (P, "Hiroshi Tanaka")]),
    ("it_ops", "Why does nginx log 2001:0db8:0000:0000:0000:ff00:0042:8329 as the client address instead of the real one?",
     [(IP, "2001:0db8:0000:0000:0000:ff00:0042:8329")]),
    ("it_ops", "Failed SSH logins from 185.220.101.34 and 45.155.205.99 all night; should I block the whole range?",
     [(IP, "185.220.101.34"), (IP, "45.155.205.99")]),
    ("it_ops", "Set DNS to 1.1.1.1 and 2606:4700:4700::1111 but resolution is still slow.",
     [(IP, "1.1.1.1"), (IP, "2606:4700:4700::1111")]),
    ("it_ops", "Link-local fe80::1ff:fe23:4567:890a shows up on the interface but ping to it fails.",
     [(IP, "fe80::1ff:fe23:4567:890a")]),
    ("it_ops", "Grafana used to be at http://192.0.2.77:3000 but moved to https://grafana.ops.lindgren-it.se/d/node-exporter, please update your bookmarks.",
     [(U, "http://192.0.2.77:3000"), (U, "https://grafana.ops.lindgren-it.se/d/node-exporter")]),
    ("it_ops", "The printer on the 3rd floor is 192.168.1.254, please stop sending jobs to the old one. - Olga",
     [(IP, "192.168.1.254"), (P, "Olga")]),
    ("it_ops", "Webhook retries hit https://hooks.acme-payments.dev/v2/events?tenant=4471 and get 502s from our proxy at 203.0.113.45.",
     [(U, "https://hooks.acme-payments.dev/v2/events?tenant=4471"), (IP, "203.0.113.45")]),
    ("it_ops", "Access log: ::ffff:198.51.100.23 - - \"GET /admin HTTP/1.1\" 403. Who is that?",
     [(IP, "::ffff:198.51.100.23")]),
    ("it_ops", "Can someone give Ravi Subramanian read access to the repo? His key was added from 100.64.12.9.",
     [(P, "Ravi Subramanian"), (IP, "100.64.12.9")]),
    ("it_ops", "Our status page is status.verdant-cloud.io and the docs live at https://docs.verdant-cloud.io/api/v3/.",
     [(U, "status.verdant-cloud.io"), (U, "https://docs.verdant-cloud.io/api/v3/")]),
    ("it_ops", "The VM in Frankfurt has 46.101.33.218 and 2a03:b0c0:3:d0::1b2:6001; the one in Singapore is 128.199.64.11.",
     [(L, "Frankfurt"), (IP, "46.101.33.218"), (IP, "2a03:b0c0:3:d0::1b2:6001"), (L, "Singapore"), (IP, "128.199.64.11")]),
    ("it_ops", "On-call this week: Dmitri Sokolov (+7 495 123-45-67), backup Layla Haddad.",
     [(P, "Dmitri Sokolov"), (PH, "+7 495 123-45-67"), (P, "Layla Haddad")]),
    ("it_ops", "Mail bounces from noreply@alerts.fjordhaven.no with 'relay denied' since the migration.",
     [(E, "noreply@alerts.fjordhaven.no")]),
    ("it_ops", "Wiki page: https://wiki.internal.tessellate.net:8443/display/OPS/Onboarding+Checklist has the steps for new laptops.",
     [(U, "https://wiki.internal.tessellate.net:8443/display/OPS/Onboarding+Checklist")]),

    # ---- e-commerce / orders
    ("ecommerce", "Order for Yusuf Demir, deliver to Izmir. Paid with Amex 3404 063691 87669. Call +90 532 418 77 05 on arrival.",
     [(P, "Yusuf Demir"), (L, "Izmir"), (CC, "3404 063691 87669"), (PH, "+90 532 418 77 05")]),
    ("ecommerce", "Gift message: 'Happy birthday Oma Gertrud, love from Finn and Mila'. Ship to Innsbruck.",
     [(P, "Gertrud"), (P, "Finn"), (P, "Mila"), (L, "Innsbruck")]),
    ("ecommerce", "Please cancel the subscription on card 372487710081042 and confirm at lhernandez.mx@gmail.com.",
     [(CC, "372487710081042"), (E, "lhernandez.mx@gmail.com")]),
    ("ecommerce", "I'd like to return the jacket. Order was under Chiara Romano, delivered to Bologna last week.",
     [(P, "Chiara Romano"), (L, "Bologna")]),
    ("ecommerce", "Pay-by-link for Mr. Oduya: https://pay.kestrelshop.co.ke/l/9F3kQ2 (expires in 24h).",
     [(P, "Oduya"), (U, "https://pay.kestrelshop.co.ke/l/9F3kQ2")]),
    ("ecommerce", "Can I pay with Discover? My card is 6587 8591 7269 2508 and the site only shows Visa and Mastercard.",
     [(CC, "6587 8591 7269 2508")]),
    ("ecommerce", "Seller contact: Xiaoming Chen, chenxm@foxmail.com, +86 10 6552 9988 (Beijing).",
     [(P, "Xiaoming Chen"), (E, "chenxm@foxmail.com"), (PH, "+86 10 6552 9988"), (L, "Beijing")]),
    ("ecommerce", "The courier left my parcel with a neighbour called Mrs. Oyelowo-Smith, who says she never got it.",
     [(P, "Oyelowo-Smith")]),

    # ---- education
    ("education", "Dear Ms. Achebe, Kofi was absent today with a cold. He will be back tomorrow. - Abena Mensah",
     [(P, "Achebe"), (P, "Kofi"), (P, "Abena Mensah")]),
    ("education", "Can you check my essay on the partition of India? My tutor, Dr. Farah Siddiqui, says the intro is weak.",
     [(L, "India"), (P, "Farah Siddiqui")]),
    ("education", "Scholarship application: student Jean-Baptiste Moreau, from Dakar, Senegal; referee email: prof.diallo@ucad.edu.sn",
     [(P, "Jean-Baptiste Moreau"), (L, "Dakar"), (L, "Senegal"), (E, "prof.diallo@ucad.edu.sn")]),
    ("education", "Group project: me, Siddharth, Hana and Tyrone. We still need a fifth person, maybe Ewa?",
     [(P, "Siddharth"), (P, "Hana"), (P, "Tyrone"), (P, "Ewa")]),
    ("education", "Thesis supervised by Prof. Katarzyna Zielińska-Nowak; co-supervisor Dr. Bastian Hoffmann (Leipzig).",
     [(P, "Katarzyna Zielińska-Nowak"), (P, "Bastian Hoffmann"), (L, "Leipzig")]),
    ("education", "Parents' evening: please ring Mrs. Whitmore on 0113 496 0021 to book a slot.",
     [(P, "Whitmore"), (PH, "0113 496 0021")]),

    # ---- housing / real estate
    ("real_estate", "Viewing booked for Flat 3, 27 Canal Road, Birmingham with agent Tariq Hussain, 11:30 Saturday.",
     [(L, "Birmingham"), (P, "Tariq Hussain")]),
    ("real_estate", "Deposit of 1,800 EUR to be paid to DE44 4843 4901 4871 0478 92 (account holder: Klaus Brenner).",
     [(IB, "DE44 4843 4901 4871 0478 92"), (P, "Klaus Brenner")]),
    ("real_estate", "We're selling our house in Tauranga, is it better to go with an agent or list on our own?",
     [(L, "Tauranga")]),
    ("real_estate", "Tenant application: Marisol Vega, current address El Paso, TX, SSN 479-17-7814, phone (915) 555-0131.",
     [(P, "Marisol Vega"), (L, "El Paso"), (L, "TX"), (SSN, "479-17-7814"), (PH, "(915) 555-0131")]),
    ("real_estate", "Our landlord in Aarhus wants rent paid to DK2433208284706346 starting in May. Is that a Danish account?",
     [(L, "Aarhus"), (IB, "DK2433208284706346")]),

    # ---- more finance, benefits and tax
    ("finance", "My new Mastercard 2720 7140 5530 2294 arrived but the app still shows the old one. How long does it take to update?",
     [(CC, "2720 7140 5530 2294")]),
    ("finance", "Chargeback request: cardholder Obinna Eze, card 5480-7887-6937-9866, merchant located in Johannesburg.",
     [(P, "Obinna Eze"), (CC, "5480-7887-6937-9866"), (L, "Johannesburg")]),
    ("finance", "Corporate Amex 3464-773693-51864 is in Gillian Strachan's name but the whole team uses it for travel.",
     [(CC, "3464-773693-51864"), (P, "Gillian Strachan")]),
    ("finance", "Autopay is set up on Discover 6011880076620169; can I switch it to checking without missing the due date?",
     [(CC, "6011880076620169")]),
    ("finance", "Someone in Kyiv used my card 6443 0552 7935 7517 for three online purchases in an hour.",
     [(L, "Kyiv"), (CC, "6443 0552 7935 7517")]),
    ("finance", "Found my grandad's old Visa 4725040445114 in a drawer, is a 13-digit card number even real?",
     [(CC, "4725040445114")]),
    ("finance", "Is SSN 015-66-0009 the one you have on file for my late father, Walter Brooks? The estate lawyer needs it.",
     [(SSN, "015-66-0009"), (P, "Walter Brooks")]),
    ("finance", "IRS letter says the SSN 041 47 4032 doesn't match the name Teodoro Villanueva. What do I send them?",
     [(SSN, "041 47 4032"), (P, "Teodoro Villanueva")]),
    ("finance", "My credit report in Ohio shows an account opened with SSN 170-88-1819, which is mine, but I never opened it.",
     [(L, "Ohio"), (SSN, "170-88-1819")]),
    ("finance", "Payment to our supplier in Gothenburg: SE12 7999 9518 9032 7584 9079, due on the 20th.",
     [(L, "Gothenburg"), (IB, "SE12 7999 9518 9032 7584 9079")]),
    ("finance", "Refund to my Norwegian account NO0303604557331 please, I'm no longer in Spain.",
     [(IB, "NO0303604557331"), (L, "Spain")]),
    ("finance", "My Finnish IBAN is FI76 9109 9290 1913 50, is that enough for a SEPA transfer from Tallinn?",
     [(IB, "FI76 9109 9290 1913 50"), (L, "Tallinn")]),
    ("finance", "Send the consulting fee to LU33 6878 9005 1195 7994, account holder Aurélie Schmit, Luxembourg.",
     [(IB, "LU33 6878 9005 1195 7994"), (P, "Aurélie Schmit"), (L, "Luxembourg")]),

    # ---- benefits, immigration, government forms
    ("form", "Dependent 1: Jayden Okoro, SSN 192-16-2121\nDependent 2: Amara Okoro, SSN 192 16 2191",
     [(P, "Jayden Okoro"), (SSN, "192-16-2121"), (P, "Amara Okoro"), (SSN, "192 16 2191")]),
    ("legal", "My asylum lawyer asked for my cousin's SSN, 451-55-7275, to prove he can sponsor me. Is that normal?",
     [(SSN, "451-55-7275")]),
    ("hr", "I-9 correction: employee Nasrin Ahmadi, SSN previously entered as 496-82-8336, correct value 496-82-8633.",
     [(P, "Nasrin Ahmadi"), (SSN, "496-82-8336"), (SSN, "496-82-8633")]),
    ("medical", "Medicaid application for Esperanza Flores (SSN 561 12 0275), household of 3, Albuquerque.",
     [(P, "Esperanza Flores"), (SSN, "561 12 0275"), (L, "Albuquerque")]),
    ("chatlog", "User: can you remember my SSN for next time? it's 660048927\nBot: I won't store that, please don't share it here.",
     [(SSN, "660048927")]),
    ("support", "Your rep asked me to email my SSN (672-06-5407) to support@verity-benefits.com. Is that address really yours?",
     [(SSN, "672-06-5407"), (E, "support@verity-benefits.com")]),
    ("finance", "Joint return for Curtis and Renee Jackson: 846-60-3496 (Curtis), 848-99-5842 (Renee).",
     [(P, "Curtis", 0), (P, "Renee Jackson"), (SSN, "846-60-3496"), (P, "Curtis", 1), (SSN, "848-99-5842"), (P, "Renee", 1)]),

    # ---- more IBAN, e-mail and URL in various settings
    ("email", "Dear Ms. Pemberton, our bank details have changed: GB84 XJMW 6236 4946 7187 77. Please update your records. Finance team",
     [(P, "Pemberton"), (IB, "GB84 XJMW 6236 4946 7187 77")]),
    ("legal", "The court in Bordeaux ordered the amount paid to FR5000915817731177437025975 within 30 days.",
     [(L, "Bordeaux"), (IB, "FR5000915817731177437025975")]),
    ("real_estate", "Fianza para el piso de Sevilla: transfer to ES50 4781 3019 7904 4125 8912, holder Inmaculada Ortega.",
     [(L, "Sevilla"), (IB, "ES50 4781 3019 7904 4125 8912"), (P, "Inmaculada Ortega")]),
    ("travel", "The agriturismo near Siena wants a 30% deposit to IT82 Z297 8709 8795 4395 7505 916. Is that a common scam?",
     [(L, "Siena"), (IB, "IT82 Z297 8709 8795 4395 7505 916")]),
    ("support", "Forwarding from Lorenzo: he can't reset his password, his login is l.ferrante@studio-ferrante.it.",
     [(P, "Lorenzo"), (E, "l.ferrante@studio-ferrante.it")]),
    ("hr", "Please update my personal e-mail to Kiri.Walker-Ngata@xtra.co.nz, the old one is closed.",
     [(E, "Kiri.Walker-Ngata@xtra.co.nz")]),
    ("forum", "If you want the spreadsheet, drop me a line at spreadsheets4life@protonmail.com - Mirela",
     [(E, "spreadsheets4life@protonmail.com"), (P, "Mirela")]),
    ("education", "Applications close Friday; send transcripts to admissions.office@univ-grenoble-alpes.fr or post them to Grenoble.",
     [(E, "admissions.office@univ-grenoble-alpes.fr"), (L, "Grenoble")]),
    ("chat", "Rewrite this more politely: 'Sunil, stop cc'ing sunil.v@ramanathan-textiles.in on every thread, use the shared inbox.'",
     [(P, "Sunil"), (E, "sunil.v@ramanathan-textiles.in")]),
    ("ecommerce", "Tracking page https://track.parcelwing.eu/?id=PW7713902&lang=en says the package is in Rotterdam.",
     [(U, "https://track.parcelwing.eu/?id=PW7713902&lang=en"), (L, "Rotterdam")]),
    ("forum", "Full write-up of our Iceland ring road trip: https://wanderwithtess.blog/2023/iceland-ring-road",
     [(L, "Iceland"), (U, "https://wanderwithtess.blog/2023/iceland-ring-road")]),
    ("it_ops", "Artifacts are mirrored at ftp://mirror.bergstrom-labs.se/pub/releases/ and at www.bergstrom-labs.se/downloads.",
     [(U, "ftp://mirror.bergstrom-labs.se/pub/releases/"), (U, "www.bergstrom-labs.se/downloads")]),
    ("support", "Kamal here again. The TV is at 192.168.0.23 and the streaming box at 192.168.0.31, neither gets an update.",
     [(P, "Kamal"), (IP, "192.168.0.23"), (IP, "192.168.0.31")]),
    ("chat", "Is https://meet.jit.si/OsterbergFamilyReunion safe for a video call with my parents in Uppsala?",
     [(U, "https://meet.jit.si/OsterbergFamilyReunion"), (L, "Uppsala")]),

    # ---- extensions, signatures, particles and more name shapes
    ("support", "Please call our accounts desk at +1 212-555-0147 ext. 204 between 9 and 5 and ask for Pieter van der Berg.",
     [(PH, "+1 212-555-0147"), (P, "Pieter van der Berg")]),
    ("email", "Regards,\nBudi Santoso\nJakarta office | +62 21 5790 1122 | 604.555.0142 x12 (Vancouver desk)",
     [(P, "Budi Santoso"), (L, "Jakarta"), (PH, "+62 21 5790 1122"), (PH, "604.555.0142"), (L, "Vancouver")]),
    ("hr", "Megan McAllister-Quinn and Ewan MacDougall both asked for Fridays off in August; only one of them can have it.",
     [(P, "Megan McAllister-Quinn"), (P, "Ewan MacDougall")]),
    ("chat", "Nomvula's mum is visiting from Durban, any ideas for a day out near Pretoria?",
     [(P, "Nomvula"), (L, "Durban"), (L, "Pretoria")]),
    ("medical", "I rang the pharmacy in Amsterdam on +31 20 624 1111 and the pharmacist, Mr. de Vries, said the dose is fine.",
     [(L, "Amsterdam"), (PH, "+31 20 624 1111"), (P, "de Vries")]),
    ("travel", "The guesthouse in Hội An is run by Trần Văn Minh; his phone is +84 90 123 45 67.",
     [(L, "Hội An"), (P, "Trần Văn Minh"), (PH, "+84 90 123 45 67")]),
    ("forum", "Written by Ayesha Chaudhry, edited with help from Liam. Comments welcome!",
     [(P, "Ayesha Chaudhry"), (P, "Liam")]),
    ("chat", "With Malak and Youssef gone for the summer, I'm alone in the flat in Beirut.",
     [(P, "Malak"), (P, "Youssef"), (L, "Beirut")]),

    # ---- negatives: look-alikes, no PII at all
    ("negative_support", "My order #4532-7781-2290 shows delivered but the box was empty. Can you check with the warehouse?", []),
    ("negative_it", "Upgraded to version 3.10.12.4 and now the plugin crashes on start.", []),
    ("negative_medical", "Is it safe to take ibuprofen together with Lisinopril if I already had two coffees today?", []),
    ("negative_support", "The Galaxy Tab S9 FE keeps disconnecting from Wi-Fi after the One UI update.", []),
    ("negative_finance", "Quarterly revenue was $4,512,330.19, up 8% on last year, with margins flat at 23.4%.", []),
    ("negative_ecommerce", "Does Victoria's Secret ship gift cards abroad, or only within the country?", []),
    ("negative_finance", "Invoice INV-2024-000871 is overdue by 30 days; please settle before 15 March.", []),
    ("negative_finance", "The grace period for the premium is 31 days, after which the policy lapses.", []),
    ("negative_chat", "Will the March Madness brackets open before Monday?", []),
    ("negative_ecommerce", "I bought a pair of Dr. Martens boots in size 42 and they are too small. Exchange or refund?", []),
    ("negative_support", "Ticket SR-88213-B was escalated to tier 2; expected resolution is 48 hours.", []),
    ("negative_medical", "Does Medicare Part B cover an annual wellness visit with no copay?", []),
    ("negative_ecommerce", "Tracking number 1Z999AA10123456784 has said out for delivery since 7:42 AM.", []),
    ("negative_chat", "The Ford Ranger and the Toyota Hilux both tow about 3.5 tonnes, which one is cheaper to run?", []),
    ("negative_medical", "Crohn's disease flare-ups: is a low residue diet actually helpful, or is that outdated advice?", []),
    ("negative_it", "Running kubectl 1.29.3 against a 1.27 cluster gives version skew warnings.", []),
    ("negative_it", "Set the timeout to 30000 ms and the retry count to 5 in config.yaml, then restart the worker.", []),
    ("negative_ecommerce", "My Jack Daniel's gift set arrived with a cracked bottle, can I get a replacement?", []),
    ("negative_chat", "Rose Gold or Space Gray for the new MacBook Air? Which one resells better?", []),
    ("negative_education", "Is 978-0-262-03384-8 the ISBN for the third edition or the second?", []),
    ("negative_finance", "Please quote PO 4500012345 on every invoice from now on.", []),
    ("negative_education", "The Hubble Space Telescope took that image in 1995, long before the Webb launch.", []),
    ("negative_it", "Patch Tuesday: KB5034441 fails with 0x80070643 on most of our machines.", []),
    ("negative_medical", "What's the difference between Ozempic and Mounjaro for weight loss?", []),
    ("negative_chat", "Score was 3-1 after 90 minutes, then 4-1 in stoppage time. What a game.", []),
    ("negative_finance", "Apple Pay declined twice at the checkout, but Google Pay worked fine.", []),
    ("negative_ecommerce", "My Hermès scarf came with a certificate numbered 0047-2231-88, is that how they look?", []),
    ("negative_ecommerce", "Buy 2 get 1 free on all Pampers and Huggies until 31/12.", []),
    ("negative_it", "The error says 'Errno 111 Connection refused' when I run pip install inside the container.", []),
    ("negative_hr", "Employee handbook section 4.2.1.7 covers parental leave and section 4.3 covers sick pay.", []),
    ("negative_chat", "Our Wi-Fi password is on the fridge, not in Slack, please stop asking.", []),
    ("negative_medical", "Can Tylenol PM and Benadryl be taken on the same night?", []),
    ("negative_support", "The Mercedes-Benz C-Class service interval is 15,000 miles or one year, whichever comes first.", []),
    ("negative_it", "Sort by Name, then by Date Modified, then by Size.", []),
    ("negative_sloppy_chat", "i need the thing by tmrw pls, the one we talked abt on monday", []),
    ("negative_sloppy_chat", "price went from 19.99 to 24.99 overnight, is that even legal", []),
    ("negative_hr", "Sent the Q4 deck to the whole Marketing team; Legal still needs to sign off.", []),
    ("negative_support", "Serial number: SN-7HX-552-0193-K; the warranty ends in 2027.", []),
    ("negative_legal", "Reference: 2024/CV/001873. Hearing adjourned to a date to be fixed.", []),
    ("negative_medical", "The Lipitor generic is atorvastatin calcium 20 mg, taken once a day.", []),
    ("negative_chat", "GPU temp hits 87°C in Cyberpunk 2077 with ray tracing on. Normal?", []),
    ("negative_finance", "Bank of America and Wells Fargo both charge a $35 overdraft fee.", []),
    ("negative_ecommerce", "Use coupon SAVE20NOW at checkout for 20% off orders over $50.", []),
    ("negative_it", "Check the Apache Kafka docs for consumer group rebalancing and the Node.js client.", []),
    ("negative_it", "Commit 3f786850e387550fdab836ed7e6dc881de23001b broke the nightly build.", []),
    ("negative_chat", "Our NPS went from 31 to 47 after the redesign, mostly thanks to faster checkout.", []),
    ("negative_medical", "Post-op: ice for 20 minutes every 2 hours and no NSAIDs for 72 hours.", []),
    ("negative_medical", "Temperature 38.6, pulse 102, BP 135/85 this morning. Should I call someone?", []),
    ("negative_chat", "I have a 2019 Honda Civic EX with 48,213 km on it, is now a good time to sell?", []),
    ("negative_hr", "Sprint 42 retro: velocity 38 points, 5 stories carried over, 2 bugs reopened.", []),
    ("negative_chat", "Is Hennessy VSOP better than Rémy Martin for cocktails?", []),
    ("negative_medical", "Mayo Clinic says the usual dose is 500 mg twice daily with meals.", []),
    ("negative_education", "The Nobel Prize in Chemistry 2023 went to the discovery of quantum dots.", []),
    ("negative_finance", "The account ending 4417 was charged $12.00 on 03/04 for a subscription I cancelled.", []),
    ("negative_it", "CVE-2024-3094 affects xz versions 5.6.0 and 5.6.1; roll back to 5.4.6.", []),
    ("negative_medical", "Lot number 22A1187, expiry 11/2026, store below 25°C.", []),
    ("negative_sloppy_chat", "my modem lights are blinking orange, already restarted it twice", []),
    ("negative_it", "Build 2024.06.18.3 fails the smoke tests; 2024.06.11.1 was fine.", []),
    ("negative_legal", "Under Article 17 GDPR, how long does a company have to answer an erasure request?", []),
    ("negative_chat", "Can you recommend a Sunday roast recipe that works in an Instant Pot?", []),
    ("negative_finance", "The Visa Signature and the Mastercard World Elite have the same 2% cashback.", []),
    ("negative_support", "Error code E-4012-77 appears when the Dyson V15 battery is nearly empty.", []),
]


class DataError(ValueError):
    """A row of ROWS is wrong (value not found, found twice, overlapping spans, unknown type)."""


def _occurrences(text: str, value: str) -> list[int]:
    starts, i = [], text.find(value)
    while i != -1:
        starts.append(i)
        i = text.find(value, i + 1)
    return starts


def build_rows() -> list[dict]:
    """Turn ROWS into the JSONL rows, computing each entity's offsets; DataError on any mistake."""
    rows = []
    for n, (kind, text, specs) in enumerate(ROWS, start=1):
        row_id = f"f{n:04d}"
        entities = []
        for spec in specs:
            if len(spec) == 2:
                etype, value = spec
                occurrence = None
            else:
                etype, value, occurrence = spec
            if etype not in ENTITY_TYPES:
                raise DataError(f"{row_id}: unknown entity type {etype!r} for value {value!r}")
            if not value or value != value.strip():
                raise DataError(f"{row_id}: {etype} value {value!r} is empty or has surrounding spaces")
            starts = _occurrences(text, value)
            if occurrence is None:
                if len(starts) != 1:
                    raise DataError(
                        f"{row_id}: {etype} value {value!r} occurs {len(starts)} times in the text; "
                        "it must occur exactly once, or give an occurrence index"
                    )
                start = starts[0]
            else:
                if not 0 <= occurrence < len(starts):
                    raise DataError(
                        f"{row_id}: {etype} value {value!r} occurrence {occurrence} asked for, "
                        f"but it occurs {len(starts)} times"
                    )
                start = starts[occurrence]
            entities.append({"type": etype, "start": start, "end": start + len(value), "value": value})
        entities.sort(key=lambda e: (e["start"], e["end"]))
        for a, b in zip(entities, entities[1:]):
            if b["start"] < a["end"]:
                raise DataError(f"{row_id}: entities {a['value']!r} and {b['value']!r} overlap")
        rows.append({"id": row_id, "kind": kind, "split": "fresh", "text": text, "entities": entities})
    return rows


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n" for row in rows)


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    if argv and not check:
        print("usage: make_pii_fresh.py [--check]", file=sys.stderr)
        return 2
    try:
        content = render(build_rows())
    except DataError as exc:
        print(f"make_pii_fresh.py: bad data in ROWS: {exc}; {OUT} left unchanged", file=sys.stderr)
        return 1
    if check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == content
        print(f"{OUT}: {'up to date' if same else 'differs from what the script produces'}")
        return 0 if same else 1
    fd, tmp = tempfile.mkstemp(dir=OUT.parent, prefix=".pii_fresh.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the data file is meant to be readable
        os.replace(tmp, OUT)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"wrote {OUT} ({content.count(chr(10))} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
