"""Fifth fresh labelled PII test set (the final held-out test) for Workbench's PII benchmark.

Written on 2026-12-05 by a helper session of the project, by hand: every sentence was typed as a
person would write it (not filled from a template in a loop), names and places were invented or
chosen by the writer (no name/place lists from packages), and the text was never run through
Workbench's redactor, Presidio, spaCy or any other recogniser. Card numbers, IBANs and SSNs were
made valid (Luhn, mod-97, SSA rules) by a throw-away script and pasted in.

Each ROWS entry is (kind, text, items); an item is (TYPE, value) when the value occurs exactly once
in the text, or (TYPE, value, occurrence_index) (0-based) to pick one of several occurrences.
`python tests/data/make_pii_fresh5.py` writes tests/data/pii_fresh5.jsonl.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).with_name("pii_fresh5.jsonl")
SPLIT = "fresh5"


class DataError(ValueError):
    """A row's item cannot be placed in its text."""


P, L, E, T, C, S, I, IP, U = ("PERSON", "LOCATION", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD",  # noqa: E741
                              "US_SSN", "IBAN_CODE", "IP_ADDRESS", "URL")  # (entity abbreviations)

ROWS = [
    ("chatbot", "My neighbour Oluwaseun Adebayo-Cole keeps parking across my driveway in Croydon. How do I write him a polite note?", ((P, "Oluwaseun Adebayo-Cole"), (L, "Croydon"))),
    ("support_ticket", "Ticket #55821: customer Marisol Quintero reports the app crashes on login. Reach her at marisol.q@correo-rapido.mx or +52 55 4821 9037.", ((P, "Marisol Quintero"), (E, "marisol.q@correo-rapido.mx"), (T, "+52 55 4821 9037"))),
    ("email", "Hi Tuomas,\n\nthe contract is attached. Let me know if Kaisa needs a copy too.\n\nBest,\nHelmi Rautiainen", ((P, "Tuomas"), (P, "Kaisa"), (P, "Helmi Rautiainen"))),
    ("medical", "I'm writing on behalf of my mother, Mrs. Nomvula Dlamini, who was discharged from the hospital in Durban last week with no follow-up appointment.", ((P, "Nomvula Dlamini"), (L, "Durban"))),
    ("banking", "Please move 400 EUR from my savings to IBAN DE09 7624 8773 2096 4174 08, account holder Friedrich Oberländer.", ((I, "DE09 7624 8773 2096 4174 08"), (P, "Friedrich Oberländer"))),
    ("sms", "hey its priya, running late 🙃 tell arjun to start without me", ((P, "priya"), (P, "arjun"))),
    ("crm_note", "Called Mr. Hyun-woo Baek re renewal. He's moving the office from Busan to Daejeon in March; send new quote to hw.baek@sunmoon-trade.kr.", ((P, "Hyun-woo Baek"), (L, "Busan"), (L, "Daejeon"), (E, "hw.baek@sunmoon-trade.kr"))),
    ("log", "2026-11-30T08:14:22Z WARN auth: 5 failed logins for user=u48812 from 102.89.34.117", ((IP, "102.89.34.117"),)),
    ("forum", "Has anyone used the night bus from Tbilisi to Batumi? My friend Nino said it was fine but I'm nervous travelling alone.", ((L, "Tbilisi"), (L, "Batumi"), (P, "Nino"))),
    ("insurance", "Claimant: Aroha Te Whata. Policy holder's SSN 676-62-9635. Incident: hail damage to car roof, Hamilton, 12 Nov.", ((P, "Aroha Te Whata"), (S, "676-62-9635"), (L, "Hamilton"))),
    ("hr", "Reference check for Dmitri Volkonsky: he reported to me for three years and I would hire him again without hesitation. — Svetlana Orlova, Head of Finance", ((P, "Dmitri Volkonsky"), (P, "Svetlana Orlova"))),
    ("travel", "Booking for two adults: Joaquín Ibarra and Lucía Ferrer, flying Bogotá to Lisbon on the 14th. Contact phone +57 310 552 8841.", ((P, "Joaquín Ibarra"), (P, "Lucía Ferrer"), (L, "Bogotá"), (L, "Lisbon"), (T, "+57 310 552 8841"))),
    ("payment", "Card on file: 4518 9760 4331 5637, exp 08/29. Name on card: K. Mensah.", ((C, "4518 9760 4331 5637"), (P, "K. Mensah"))),
    ("json", '{"customer": "Siosaia Taufa", "email": "s.taufa@islandmail.to", "phone": "+676 7715 204", "city": "Nukuʻalofa"}', ((P, "Siosaia Taufa"), (E, "s.taufa@islandmail.to"), (T, "+676 7715 204"), (L, "Nukuʻalofa"))),
    ("csv", "1043,Bogdan,Kowalczyk,bogdan.kowalczyk@poczta.pl,+48 601 234 877,Kraków", ((P, "Bogdan"), (P, "Kowalczyk"), (E, "bogdan.kowalczyk@poczta.pl"), (T, "+48 601 234 877"), (L, "Kraków"))),
    ("chat", "[10:02] Agent Fenella: Thanks for waiting! Could you confirm the last four of your card?\n[10:03] Customer: sure, its the visa ending 5637. I'm Ezinne btw", ((P, "Fenella"), (P, "Ezinne"))),
    ("school", "Dear parents, Ms. Ólafsdóttir will be away Thursday; Mr. Haddad will take the Year 4 class on the trip to Reykjavík Botanic Garden.", ((P, "Ólafsdóttir"), (P, "Haddad"), (L, "Reykjavík"))),
    ("real_estate", "Viewing confirmed for 14 Rue des Tanneurs, Lyon, with agent Clémence Aubert (06 72 18 44 90).", ((L, "Lyon"), (P, "Clémence Aubert"), (T, "06 72 18 44 90"))),
    ("government", "Application for a residence permit: surname Nguyen, given names Thi Bich Ngoc, born in Hai Phong, Vietnam.", ((P, "Nguyen"), (P, "Thi Bich Ngoc"), (L, "Hai Phong"), (L, "Vietnam"))),
    ("legal", "My landlord, Gerald Pinkerton-Shaw, has kept my deposit for four months. I live in Leeds. Can I take him to small claims?", ((P, "Gerald Pinkerton-Shaw"), (L, "Leeds"))),
    ("obituary", "Eleni Papadakis, 88, of Heraklion, died peacefully on 2 December surrounded by her children Yannis and Sofia.", ((P, "Eleni Papadakis"), (L, "Heraklion"), (P, "Yannis"), (P, "Sofia"))),
    ("wedding", "Congratulations Amara & Tobenna!!! 💍 So happy for you both, see you in Enugu for the traditional wedding!", ((P, "Amara"), (P, "Tobenna"), (L, "Enugu"))),
    ("meeting_minutes", "Present: R. Castellanos (chair), Ines Werth, Kwabena Asante, Mei-Lin Ho. Apologies: Torsten.", ((P, "R. Castellanos"), (P, "Ines Werth"), (P, "Kwabena Asante"), (P, "Mei-Lin Ho"), (P, "Torsten"))),
    ("log", 'sshd[2211]: Accepted publickey for deploy from 2a02:6b8:c1a:12::4f2 port 51822', ((IP, "2a02:6b8:c1a:12::4f2"),)),
    ("email", "From: Rafael Anaya <ranaya@montesur.es>\nSent: Tuesday 09:41\nTo: Billing\nSubject: RE: duplicate charge\n\nPlease refund to ES57 6901 4048 3720 0921 9821.", ((P, "Rafael Anaya"), (E, "ranaya@montesur.es"), (I, "ES57 6901 4048 3720 0921 9821"))),
    ("chatbot", "Write a birthday poem for my grandmother Zainab who grew up in Lahore and now lives in Bradford.", ((P, "Zainab"), (L, "Lahore"), (L, "Bradford"))),
    ("support_reply", "Hi Wiremu, I've reset your password. If the link https://account.kiwiflix.example/reset?u=wiremu.h doesn't work, reply here. – Sam", ((P, "Wiremu"), (U, "https://account.kiwiflix.example/reset?u=wiremu.h"), (P, "Sam"))),
    ("tax", "My SSN is 606-19-9669 and my wife's is 112-96-7454; we filed jointly from Tucson last year.", ((S, "606-19-9669"), (S, "112-96-7454"), (L, "Tucson"))),
    ("whatsapp", "lol no way, did kofi really drive to accra in that car 😂😂", ((P, "kofi"), (L, "accra"))),
    ("job_application", "Dear Hiring Manager, my name is Anjali Raghunathan and I am applying for the data analyst post in Pune. Portfolio: https://anjali-r.dev/portfolio", ((P, "Anjali Raghunathan"), (L, "Pune"), (U, "https://anjali-r.dev/portfolio"))),
    ("calendar", "Invite: Quarterly review\nWhen: Mon 10:00–11:00 (Oslo)\nOrganiser: Sigrid Haugland\nGuests: ole.brekke@fjordnett.no, Ahmed Qureshi", ((L, "Oslo"), (P, "Sigrid Haugland"), (E, "ole.brekke@fjordnett.no"), (P, "Ahmed Qureshi"))),
    ("delivery", "Leave parcel with neighbour at no. 7 if Mrs Kaur not in. Tel 07700 918 442. Postcode area: Slough.", ((P, "Kaur"), (T, "07700 918 442"), (L, "Slough"))),
    ("forum", "Update: the dermatologist in Cluj (Dr. Ioana Mureșan) finally figured out what was going on with my rash.", ((L, "Cluj"), (P, "Ioana Mureșan"))),
    ("banking", "Beneficiary: Agnieszka Wróbel, IBAN PL05 8688 8055 1916 1630 4674 1012, reference 'rent Dec'.", ((P, "Agnieszka Wróbel"), (I, "PL05 8688 8055 1916 1630 4674 1012"))),
    ("social", "Shoutout to Tanvir for the lift to Sylhet yesterday, and to Rumana for the best biryani of my life", ((P, "Tanvir"), (L, "Sylhet"), (P, "Rumana"))),
    ("log", "GET /api/v2/orders 200 14ms client=198.51.100.73 ua=Mozilla/5.0", ((IP, "198.51.100.73"),)),
    ("insurance", "The other driver gave his name as Marek Hruška and his phone as +420 737 442 915; the accident happened on the ring road outside Brno.", ((P, "Marek Hruška"), (T, "+420 737 442 915"), (L, "Brno"))),
    ("reference_letter", "It is a pleasure to recommend Ms. Adaeze Okonkwo-Bello. During her internship in Lagos she showed remarkable initiative.", ((P, "Adaeze Okonkwo-Bello"), (L, "Lagos"))),
    ("medical", "Pt: Tomasz Zieliński. Referred by Dr. Kuznetsova for MRI. Contact daughter Marta on 512 330 921.", ((P, "Tomasz Zieliński"), (P, "Kuznetsova"), (P, "Marta"), (T, "512 330 921"))),
    ("payment", "pls charge the mastercard 5173 2374 1870 9885 instead, the other one expired", ((C, "5173 2374 1870 9885"),)),
    ("email", "> On Fri, Lindiwe Mahlangu <lindiwe.m@capeconnect.co.za> wrote:\n> Can we move the call to Monday?\n\nMonday works. Thabo", ((P, "Lindiwe Mahlangu"), (E, "lindiwe.m@capeconnect.co.za"), (P, "Thabo"))),
    ("chatbot", "I'm planning a road trip from Santiago down to Puerto Montt with my cousin Benjamín. What should we not miss?", ((L, "Santiago"), (L, "Puerto Montt"), (P, "Benjamín"))),
    ("hr", "Exit interview notes — employee: Rahel Tesfaye; manager: J. van der Berg. Reason for leaving: relocation to Addis Ababa.", ((P, "Rahel Tesfaye"), (P, "J. van der Berg"), (L, "Addis Ababa"))),
    ("school", "Kenji forgot his lunchbox again 😅 could you ask Mrs. Tanaka-Whitfield to keep it in the office? thx, Yumi (Kenji's mum)", ((P, "Kenji", 0), (P, "Tanaka-Whitfield"), (P, "Yumi"), (P, "Kenji", 1))),
    ("government", "Council tax query: property in Dundee, account holder Fiona MacLeod, phone 01382 449 015.", ((L, "Dundee"), (P, "Fiona MacLeod"), (T, "01382 449 015"))),
    ("crm_note", "Lead from trade fair in Hanover: Ayşe Demirtaş, procurement. Wants samples. ayse.demirtas@kaplanmetal.com.tr", ((L, "Hanover"), (P, "Ayşe Demirtaş"), (E, "ayse.demirtas@kaplanmetal.com.tr"))),
    ("travel", "Hotel asks for passport + card guarantee. I gave them Amex 3415 661898 38616 — is that normal in Marrakesh?", ((C, "3415 661898 38616"), (L, "Marrakesh"))),
    ("sms", "Your courier Imran will arrive between 2-4pm. Track: https://track.swiftdrop.example/p/8812KQ", ((P, "Imran"), (U, "https://track.swiftdrop.example/p/8812KQ"))),
    ("forum", "My grandfather Ya'akov Rosenzweig emigrated from Łódź to Haifa in 1949. Does anyone know where ship records are kept?", ((P, "Ya'akov Rosenzweig"), (L, "Łódź"), (L, "Haifa"))),
    ("json", '{"event":"login","user":"cs_4471","ip":"2001:db8:85a3::8a2e:370:7334","geo":"Valparaíso"}', ((IP, "2001:db8:85a3::8a2e:370:7334"), (L, "Valparaíso"))),
    ("birthday", "Happy 40th Bartholomew!! From all of us at the Galway office 🎂 — Siobhán, Declan & Aoife", ((P, "Bartholomew"), (L, "Galway"), (P, "Siobhán"), (P, "Declan"), (P, "Aoife"))),
    ("legal", "Witness statement of Ravindra Prasad Gupta, of Lucknow, taken on 3 October in the presence of advocate S. Iyer.", ((P, "Ravindra Prasad Gupta"), (L, "Lucknow"), (P, "S. Iyer"))),
    ("support_ticket", "User reports billing error. Name: Ngaio Parata. Card 4569 6461 1493 4594 charged twice. Location: Rotorua.", ((P, "Ngaio Parata"), (C, "4569 6461 1493 4594"), (L, "Rotorua"))),
    ("chat", "Customer: hi my name is mohammed al-farsi i ordered the blender last week\nAgent (Leticia): Hi Mohammed! Let me check.", ((P, "mohammed al-farsi"), (P, "Leticia"), (P, "Mohammed"))),
    ("email", "Kind regards,\nPaavo Lindqvist\nSenior Engineer | +358 40 772 1938 | paavo.lindqvist@revontuli.fi", ((P, "Paavo Lindqvist"), (T, "+358 40 772 1938"), (E, "paavo.lindqvist@revontuli.fi"))),
    ("banking", "Wire instructions: beneficiary Margit Kask, Tallinn, IBAN EE47 1795 7710 8130 3827.", ((P, "Margit Kask"), (L, "Tallinn"), (I, "EE47 1795 7710 8130 3827"))),
    ("medical", "Can my son Luca take ibuprofen with his asthma inhaler? We're on holiday in Sardinia and the pharmacy is closed.", ((P, "Luca"), (L, "Sardinia"))),
    ("meeting_minutes", "Action: Chidi to send the revised budget; Ana Lúcia to book the venue in Porto; Björn to follow up with legal.", ((P, "Chidi"), (P, "Ana Lúcia"), (L, "Porto"), (P, "Björn"))),
    ("log", "nginx: 2026/12/01 03:12:09 [error] connect() failed upstream 10.24.8.191:8080 client: 172.16.44.5", ((IP, "10.24.8.191"), (IP, "172.16.44.5"))),
    ("social", "Proud of my little sister Leilani for graduating from UH today!! Honolulu represent 🌺", ((P, "Leilani"), (L, "Honolulu"))),
    ("insurance", "Policy no. HX-33019. Insured: Jean-Baptiste Moreau, 5 allée des Pins, Bordeaux, France. Tel. +33 5 56 48 21 77.", ((P, "Jean-Baptiste Moreau"), (L, "Bordeaux"), (L, "France"), (T, "+33 5 56 48 21 77"))),
    ("job_application", "References: Prof. Wanjiru Kamau (University supervisor), wanjiru.kamau@uni-nairobi.example.ac.ke; and Mr. Otieno Ouma, former manager.", ((P, "Wanjiru Kamau"), (E, "wanjiru.kamau@uni-nairobi.example.ac.ke"), (P, "Otieno Ouma"))),
    ("whatsapp", "Mama says hi from Kingston 🇯🇲 and asks when u coming home. Call her on 876-555-0142", ((L, "Kingston"), (T, "876-555-0142"))),
    ("crm_note", "Spoke with Desmond Achterberg (Rotterdam). Asked us to invoice via NL46 ABNA 7621 2312 41 from now on.", ((P, "Desmond Achterberg"), (L, "Rotterdam"), (I, "NL46 ABNA 7621 2312 41"))),
    ("chatbot", "My SSN 603-81-4861 was in that data breach. What steps should I take first?", ((S, "603-81-4861"),)),
    ("real_estate", "Offer submitted for the flat in Gdańsk on behalf of buyers Łukasz and Zofia Nowicka; seller's agent is Piotr Baran.", ((L, "Gdańsk"), (P, "Łukasz"), (P, "Zofia Nowicka"), (P, "Piotr Baran"))),
    ("delivery", "Driver note: customer Faisal asked to ring twice, flat 3B. Alt number +971 50 318 7742.", ((P, "Faisal"), (T, "+971 50 318 7742"))),
    ("forum", "re: best hiking near Queenstown — ask for Hemi at the visitor centre, he knows every trail", ((L, "Queenstown"), (P, "Hemi"))),
    ("school", "Report comment: Thandiwe has made excellent progress in maths this term. — Mr. Okafor", ((P, "Thandiwe"), (P, "Okafor"))),
    ("email", "---------- Forwarded message ---------\nFrom: Hamid Rezaei <h.rezaei@parsmail.example>\nTo: Ingrid Solberg <ingrid@nordlys.no>\n\nSee below re: shipment to Bergen.", ((P, "Hamid Rezaei"), (E, "h.rezaei@parsmail.example"), (P, "Ingrid Solberg"), (E, "ingrid@nordlys.no"), (L, "Bergen"))),
    ("payment", "Discover 6011 8163 5817 0804 declined twice at checkout. Billing zip is in Omaha.", ((C, "6011 8163 5817 0804"), (L, "Omaha"))),
    ("travel", "Visa application: applicant Kanchana Srisuk, Thai national, travelling to Vienna for a conference. Phone +66 81 442 9051.", ((P, "Kanchana Srisuk"), (L, "Vienna"), (T, "+66 81 442 9051"))),
    ("legal", "We act for Ms. Dagny Eriksdottir in the matter against her former employer in Stockholm.", ((P, "Dagny Eriksdottir"), (L, "Stockholm"))),
    ("log", "audit: role granted to user 'svc-report' by admin 'admin2' from fe80::1c2a:7bff:fe4e:2d11%eth0", ((IP, "fe80::1c2a:7bff:fe4e:2d11%eth0"),)),
    ("chat", "Customer: yes it's me, Paulo Mafua\nAgent: Thanks Paulo, I see the order to Apia is held at customs.", ((P, "Paulo Mafua"), (P, "Paulo", 1), (L, "Apia"))),
    ("hr", "Payroll change: new IBAN for employee Sven Dahlgren is SE94 0341 3739 9210 6188 7172, effective January.", ((P, "Sven Dahlgren"), (I, "SE94 0341 3739 9210 6188 7172"))),
    ("medical", "hi dr. i'm emeka. been having chest pains since monday, is it ok to wait until my appointment?", ((P, "emeka"),)),
    ("government", "Re: passport renewal for minor — child: Xochitl Ramírez Cruz; parent: Guadalupe Cruz; address in Oaxaca.", ((P, "Xochitl Ramírez Cruz"), (P, "Guadalupe Cruz"), (L, "Oaxaca"))),
    ("payment", "Order paid with 4854 2805 8393 0141 by Yerlan Abenov, Almaty.", ((C, "4854 2805 8393 0141"), (P, "Yerlan Abenov"), (L, "Almaty"))),
    ("payment", "card 5255505091337211 exp 11/27 cvv on the back, name: tatiana", ((C, "5255505091337211"), (P, "tatiana"))),
    ("support_ticket", "Refund request: Visa 4066-3082-9089-5689 was charged £59 twice. Customer: Callum Fraser.", ((C, "4066-3082-9089-5689"), (P, "Callum Fraser"))),
    ("csv", "txn_id,card,holder,city\n88213,5309 8773 0784 0379,Ximena Palacios,Quito", ((C, "5309 8773 0784 0379"), (P, "Ximena Palacios"), (L, "Quito"))),
    ("chatbot", "Is it safe to paste my card number 2221 9890 4417 8997 into this chat so you can check my subscription?", ((C, "2221 9890 4417 8997"),)),
    ("email", "Hi Rosa, please use my new Mastercard 2345 5943 0095 5012 for the membership renewal. Thanks, Ignatius", ((P, "Rosa"), (C, "2345 5943 0095 5012"), (P, "Ignatius"))),
    ("log", "payment_service ERROR tokenisation failed pan=2720863353435510 merchant=77120 ip=203.0.113.58", ((C, "2720863353435510"), (IP, "203.0.113.58"))),
    ("crm_note", "Corporate card for Ms. Halvorsen: 2500 7297 7245 6286. Limit raised per Eirik's approval.", ((P, "Halvorsen"), (C, "2500 7297 7245 6286"), (P, "Eirik"))),
    ("travel", "Deposit for the Cusco trek paid with Amex 3785 925036 65499 (card holder: Quispe Mamani).", ((L, "Cusco"), (C, "3785 925036 65499"), (P, "Quispe Mamani"))),
    ("sms", "ur amex ending 2858? no the full one is 3403 418486 92858 dont share it tho", ((C, "3403 418486 92858"),)),
    ("json", '{"payer":"Hoang Van Minh","pan":"6011813551594005","country":"Vietnam"}', ((P, "Hoang Van Minh"), (C, "6011813551594005"), (L, "Vietnam"))),
    ("support_reply", "Dear Mr. Abernethy, we have cancelled the Discover card 6530 7941 2491 1300 as requested. A replacement will arrive at your Glasgow address.", ((P, "Abernethy"), (C, "6530 7941 2491 1300"), (L, "Glasgow"))),
    ("payment", "Chargeback filed for 6443 0122 1974 8081 — cardholder Ebony Washington says she never visited Atlanta that day.", ((C, "6443 0122 1974 8081"), (P, "Ebony Washington"), (L, "Atlanta"))),
    ("chat", "Agent: Could you read me the card number?\nCustomer: 4784 5151 5201 0105\nAgent: Thank you, Mr. Sithole.", ((C, "4784 5151 5201 0105"), (P, "Sithole"))),
    ("insurance", "Premium paid by card 4604472421800452 on behalf of policyholder Ines Carvalho (Coimbra).", ((C, "4604472421800452"), (P, "Ines Carvalho"), (L, "Coimbra"))),
    ("forum", "PSA: someone used my card 4528 9078 0128 1131 in Manila while I was at home in Cebu. Bank says 5-10 days for refund.", ((C, "4528 9078 0128 1131"), (L, "Manila"), (L, "Cebu"))),
    ("banking", "Second card for my husband Arnav: Mastercard 5479 0264 0987 1890. Please link it to the joint account.", ((P, "Arnav"), (C, "5479 0264 0987 1890"))),
    ("email", "Our finance team (Nadia Bouzid) will settle invoice 2026-118 by card: 5521 3453 4667 6206.", ((P, "Nadia Bouzid"), (C, "5521 3453 4667 6206"))),
    ("tax", "W-2 correction for employee Darnell Hughes, SSN 828-78-5709, state: Ohio.", ((P, "Darnell Hughes"), (S, "828-78-5709"), (L, "Ohio"))),
    ("form", "Name: Consuelo Herrera\nSSN: 081-32-9118\nDOB: 04/11/1979\nCity: San Antonio", ((P, "Consuelo Herrera"), (S, "081-32-9118"), (L, "San Antonio"))),
    ("hr", "Background check authorisation — candidate Tyrone Baptiste, social security no. 374 49 0530.", ((P, "Tyrone Baptiste"), (S, "374 49 0530"))),
    ("chatbot", "my ssn is 364024708 can u tell me if my tax return was received", ((S, "364024708"),)),
    ("medical", "Patient intake: Walter Nakamura, SSN 234-49-4846, referred from the clinic in Sacramento.", ((P, "Walter Nakamura"), (S, "234-49-4846"), (L, "Sacramento"))),
    ("csv", "emp_id,name,ssn\n0412,Latoya Richardson,443-29-4630\n0413,Gustavo Pereira,456-67-4286", ((P, "Latoya Richardson"), (S, "443-29-4630"), (P, "Gustavo Pereira"), (S, "456-67-4286"))),
    ("legal", "Affidavit of Hannah Goldberg (SSN 059-19-4091), residing in Baltimore, Maryland.", ((P, "Hannah Goldberg"), (S, "059-19-4091"), (L, "Baltimore"), (L, "Maryland"))),
    ("support_ticket", "Customer gave SSN 045-32-5052 to verify identity — please purge from transcript. Agent: Marguerite.", ((S, "045-32-5052"), (P, "Marguerite"))),
    ("json", '{"applicant":"Roberto Villanueva","ssn":"371-34-2172","state":"New Mexico"}', ((P, "Roberto Villanueva"), (S, "371-34-2172"), (L, "New Mexico"))),
    ("government", "Benefits claim: claimant SSN 369-94-1970; representative payee: Shirley Two Bulls, Rapid City.", ((S, "369-94-1970"), (P, "Shirley Two Bulls"), (L, "Rapid City"))),
    ("banking", "Loan application — co-borrower Malik Jefferson, SSN 359-52-3899, employed in Memphis.", ((P, "Malik Jefferson"), (S, "359-52-3899"), (L, "Memphis"))),
    ("email", "Hi Jolene — for the I-9 I wrote my SSN as 698-79-0773, can you double check it's right on your end? -Marcus", ((P, "Jolene"), (S, "698-79-0773"), (P, "Marcus"))),
    ("sms", "dad ur social is 878-63-7734 right? filling in the fafsa for kayla", ((S, "878-63-7734"), (P, "kayla"))),
    ("insurance", "Dependent: Ruby Tsosie, SSN 270-80-0354, relationship: daughter. Primary: Leonard Tsosie, Gallup.", ((P, "Ruby Tsosie"), (S, "270-80-0354"), (P, "Leonard Tsosie"), (L, "Gallup"))),
    ("log", "kyc-worker: validation failed for ssn=884-54-5481 ref=app-3310 src=192.0.2.201", ((S, "884-54-5481"), (IP, "192.0.2.201"))),
    ("school", "Financial aid: parent Arturo Mendoza, SSN 736-22-3360. Student attends Lincoln Middle School in Fresno.", ((P, "Arturo Mendoza"), (S, "736-22-3360"), (L, "Fresno"))),
    ("chatbot", "I'm filling in a rental application in Denver and it wants my SSN (015-21-0788). Is that legal for a landlord to ask?", ((L, "Denver"), (S, "015-21-0788"))),
    ("hr", "New hire: Beatriz Olmedo, SSN 242-31-5445, start date 5 Jan, Phoenix office.", ((P, "Beatriz Olmedo"), (S, "242-31-5445"), (L, "Phoenix"))),
    ("forum", "The IRS letter lists an SSN of 785-53-3379 which isn't mine — anyone in Boise had this happen?", ((S, "785-53-3379"), (L, "Boise"))),
    ("banking", "Please pay the invoice to FR69 5092 6491 1105 3643 8187 511 (Ateliers Delorme, Nantes).", ((I, "FR69 5092 6491 1105 3643 8187 511"), (L, "Nantes"))),
    ("email", "Our UK account details have changed: GB40 NWBK 2314 0541 0931 95. Regards, Imogen Pryce", ((I, "GB40 NWBK 2314 0541 0931 95"), (P, "Imogen Pryce"))),
    ("form", "Beneficiary name: Alessandro Rinaldi\nIBAN: IT87X5238827420004424461793\nCity: Bologna", ((P, "Alessandro Rinaldi"), (I, "IT87X5238827420004424461793"), (L, "Bologna"))),
    ("support_ticket", "Refund to BE59 5734 9023 6082 please, account holder Wouter Claes, Ghent.", ((I, "BE59 5734 9023 6082"), (P, "Wouter Claes"), (L, "Ghent"))),
    ("chat", "sure here's my iban PT82 9743 0972 6608 5801 3922 1 - name is joana", ((I, "PT82 9743 0972 6608 5801 3922 1"), (P, "joana"))),
    ("crm_note", "Supplier Almbauer GmbH (Salzburg) — contact Herr Gruber — AT37 4503 5626 7266 2636.", ((L, "Salzburg"), (P, "Gruber"), (I, "AT37 4503 5626 7266 2636"))),
    ("hr", "Expense reimbursement for Noémie Favre to CH54 1059 2051 6132 4787 0.", ((P, "Noémie Favre"), (I, "CH54 1059 2051 6132 4787 0"))),
    ("banking", "Rent goes to NO53 3251 7559 443, landlord Kristoffer Nyhus in Trondheim.", ((I, "NO53 3251 7559 443"), (P, "Kristoffer Nyhus"), (L, "Trondheim"))),
    ("json", '{"name":"Aino Virtanen","iban":"FI9638665964673305","city":"Tampere"}', ((P, "Aino Virtanen"), (I, "FI9638665964673305"), (L, "Tampere"))),
    ("whatsapp", "send the money for the cabin to DK92 2645 5019 1316 38 🙏 thx – Mads", ((I, "DK92 2645 5019 1316 38"), (P, "Mads"))),
    ("email", "Dear Siobhan, the deposit should go to IE09 AIBK 1429 2504 9294 35 before Friday. Cormac O'Sullivan, Cork", ((P, "Siobhan"), (I, "IE09 AIBK 1429 2504 9294 35"), (P, "Cormac O'Sullivan"), (L, "Cork"))),
    ("banking", "Transfer from LT82 7868 6338 4793 7936 (Rūta Kazlauskienė, Vilnius) not yet received.", ((I, "LT82 7868 6338 4793 7936"), (P, "Rūta Kazlauskienė"), (L, "Vilnius"))),
    ("support_reply", "Hi Dario, we refunded €120 to HR19 4001 7551 0189 4456 4. Allow 3 business days.", ((P, "Dario"), (I, "HR19 4001 7551 0189 4456 4"))),
    ("csv", "supplier,iban,country\nTextile Ionescu SRL,RO73RNCB9927437159628505,Romania", ((I, "RO73RNCB9927437159628505"), (L, "Romania"))),
    ("legal", "The settlement sum shall be paid to GR98 2293 7230 7911 3049 4138 075 held by Mr. Konstantinos Vlachos of Thessaloniki.", ((I, "GR98 2293 7230 7911 3049 4138 075"), (P, "Konstantinos Vlachos"), (L, "Thessaloniki"))),
    ("chatbot", "Translate for me into Czech: 'Please send the deposit to CZ07 8798 0219 5530 7699 2797, Jana'", ((I, "CZ07 8798 0219 5530 7699 2797"), (P, "Jana"))),
    ("travel", "Hotel in Jeddah asked me to transfer to SA26 8067 0220 0071 6842 5751 — is this legit? Booked by my colleague Tariq.", ((L, "Jeddah"), (I, "SA26 8067 0220 0071 6842 5751"), (P, "Tariq"))),
    ("log", "sepa-batch: rejected credit transfer debtor=DE09762487732096417408 reason=AC04", ((I, "DE09762487732096417408"),)),
    ("log", "10.0.3.17 - - [02/Dec/2026:11:04:55 +0000] \"POST /login HTTP/1.1\" 401 -", ((IP, "10.0.3.17"),)),
    ("support_ticket", "Customer can't connect to VPN. Home IP 81.2.69.160, office gateway 2001:470:1f0b:a31::1.", ((IP, "81.2.69.160"), (IP, "2001:470:1f0b:a31::1"))),
    ("chat", "tech: whats ur ip?\nuser: 100.64.12.9 i think. its ricardo btw", ((IP, "100.64.12.9"), (P, "ricardo"))),
    ("forum", "My router keeps handing out 192.168.1.254 as DNS and nothing resolves. Running Debian in Wellington.", ((IP, "192.168.1.254"), (L, "Wellington"))),
    ("log", "firewall DROP src=185.220.101.4 dst=10.10.0.2 proto=TCP dport=22", ((IP, "185.220.101.4"), (IP, "10.10.0.2"))),
    ("json", '{"session":"a81f","client_ip":"2600:1700:3ec0:9a50::12","user":"fatou.diallo@senmail.sn"}', ((IP, "2600:1700:3ec0:9a50::12"), (E, "fatou.diallo@senmail.sn"))),
    ("email", "Hi IT, Zoltán here — the office printer at 10.1.40.23 is offline again. Can someone in Debrecen take a look?", ((P, "Zoltán"), (IP, "10.1.40.23"), (L, "Debrecen"))),
    ("log", "mail relay: accepted from [2a01:4f8:c2c:1d3f::1] for <ops@harbourline.example>", ((IP, "2a01:4f8:c2c:1d3f::1"), (E, "ops@harbourline.example"))),
    ("support_reply", "Hi Anouk, I've whitelisted 94.142.241.111 for your account. — Tech support", ((P, "Anouk"), (IP, "94.142.241.111"))),
    ("log", "WARN rate limit exceeded ip=::ffff:203.0.113.9 path=/search", ((IP, "::ffff:203.0.113.9"),)),
    ("social", "New blog post about our trek through Ladakh: https://wanderwithmeera.example.com/2026/ladakh-diary — photos by Rohan!", ((L, "Ladakh"), (U, "https://wanderwithmeera.example.com/2026/ladakh-diary"), (P, "Rohan"))),
    ("support_reply", "You can book a callback at https://help.tidebank.example/callback?ref=88231. Regards, Ngozi", ((U, "https://help.tidebank.example/callback?ref=88231"), (P, "Ngozi"))),
    ("chat", "user: my profile is www.linkedin.com/in/kwame-boateng-eng if that helps\nagent: thanks Kwame", ((U, "www.linkedin.com/in/kwame-boateng-eng"), (P, "Kwame"))),
    ("email", "Minutes are here: http://intranet.lakeside.local/minutes/2026-12-01.html — ping Ludmila if you can't open them.", ((U, "http://intranet.lakeside.local/minutes/2026-12-01.html"), (P, "Ludmila"))),
    ("forum", "Selling my late father's tools near Aberystwyth, pics at https://imgur.example/a/Xk29pQ. DM Gareth.", ((L, "Aberystwyth"), (U, "https://imgur.example/a/Xk29pQ"), (P, "Gareth"))),
    ("log", "GET https://api.storefront.example/v1/users/8812/profile?email=odile.marchand@laposte.example 403", ((U, "https://api.storefront.example/v1/users/8812/profile?email=odile.marchand@laposte.example"),)),
    ("job_application", "GitHub: https://github.com/tupac-huaman — I'm based in Arequipa and open to remote work.", ((U, "https://github.com/tupac-huaman"), (L, "Arequipa"))),
    ("calendar", "Join Zoom: https://zoom.example/j/84412093311?pwd=Qm2 Host: Keoni Kahananui", ((U, "https://zoom.example/j/84412093311?pwd=Qm2"), (P, "Keoni Kahananui"))),
    ("sms", "Hi from Dr. Acheampong's office. Confirm tmrw 9am appt: https://clinic-sms.example/c/77Hd", ((P, "Acheampong"), (U, "https://clinic-sms.example/c/77Hd"))),
    ("chatbot", "Summarise this article for my boss Henrietta: https://news.example.org/economy/2026/11/30/rates-hold", ((P, "Henrietta"), (U, "https://news.example.org/economy/2026/11/30/rates-hold"))),
    ("real_estate", "Listing: https://homes.example.ie/listing/44120-cottage-dingle — contact Pádraig Ó Súilleabháin.", ((U, "https://homes.example.ie/listing/44120-cottage-dingle"), (P, "Pádraig Ó Súilleabháin"))),
    ("school", "Reading list uploaded to https://classroom.example.edu/c/Y4B/reading. Ms. Achterberg", ((U, "https://classroom.example.edu/c/Y4B/reading"), (P, "Achterberg"))),
    ("support_ticket", "Broken link reported by Yusuf Kaya: ftp://files.example.net/pub/manuals/mx200.pdf", ((P, "Yusuf Kaya"), (U, "ftp://files.example.net/pub/manuals/mx200.pdf"))),
    ("social", "our fundraiser for aunty Mere's surgery 👉 gofund.example.com/mere-tipene-surgery pls share 💛", ((P, "Mere"), (U, "gofund.example.com/mere-tipene-surgery"))),
    ("email", "Portfolio link: https://behance.example.net/ilse.vandamme ; CV attached. Ilse Van Damme, Antwerp", ((U, "https://behance.example.net/ilse.vandamme"), (P, "Ilse Van Damme"), (L, "Antwerp"))),
    ("forum", "Found the fix on https://stackoverflow.example.com/questions/771203 — thanks to user Gintaras for the hint.", ((U, "https://stackoverflow.example.com/questions/771203"), (P, "Gintaras"))),
    ("government", "Apply online at https://www.gov.example.uk/apply-blue-badge and quote reference BB-2291. Your caseworker is Alun Pritchard.", ((U, "https://www.gov.example.uk/apply-blue-badge"), (P, "Alun Pritchard"))),
    ("chat", "Agent Reza: please upload the photo at https://upload.example.co/t/66fA1 and I'll process the return.", ((P, "Reza"), (U, "https://upload.example.co/t/66fA1"))),
    ("crm_note", "Prospect site: http://www.familia-santos-cafe.example.br (owner Everton Santos, São Paulo).", ((U, "http://www.familia-santos-cafe.example.br"), (P, "Everton Santos"), (L, "São Paulo"))),
    ("obituary", "Online condolences for Hiroshi Watanabe may be left at https://memorial.example.jp/watanabe-h. He lived in Sapporo for sixty years.", ((P, "Hiroshi Watanabe"), (U, "https://memorial.example.jp/watanabe-h"), (L, "Sapporo"))),
    ("email", "Please cc my assistant, ebru.yildiz@atlasgida.example.com.tr, on all future emails. Best, Kemal Arslan", ((E, "ebru.yildiz@atlasgida.example.com.tr"), (P, "Kemal Arslan"))),
    ("support_ticket", "Login email changed from d.okeke@mailbox.example to dami.okeke2@mailbox.example without consent.", ((E, "d.okeke@mailbox.example"), (E, "dami.okeke2@mailbox.example"))),
    ("chatbot", "Draft a reply to jsmythe_1987@hotmail.example saying I can't attend the Glasgow meetup.", ((E, "jsmythe_1987@hotmail.example"), (L, "Glasgow"))),
    ("school", "For absences email attendance@stbrigids.example.ie or phone Mrs. Nic Giolla on 091 528 331.", ((E, "attendance@stbrigids.example.ie"), (P, "Nic Giolla"), (T, "091 528 331"))),
    ("sms", "new email is talia.benami+shop@gmail.example fyi", ((E, "talia.benami+shop@gmail.example"),)),
    ("forum", "Anyone know Precious Moyo from the Harare chess club? Her email bounced (pmoyo@zimnet.example.co.zw).", ((P, "Precious Moyo"), (L, "Harare"), (E, "pmoyo@zimnet.example.co.zw"))),
    ("hr", "Offer letter sent to Ji-eun Seo (jieun.seo@hanmail.example). Start in Seoul office, Feb 2.", ((P, "Ji-eun Seo"), (E, "jieun.seo@hanmail.example"), (L, "Seoul"))),
    ("json", '{"contact":{"name":"Obinna Nwosu","mail":"obinna@nwosu-logistics.example.ng","tel":"+234 803 555 0191"}}', ((P, "Obinna Nwosu"), (E, "obinna@nwosu-logistics.example.ng"), (T, "+234 803 555 0191"))),
    ("email", "Signature:\nDr. Farah Siddiqui | Consultant Paediatrician | Karachi\nf.siddiqui@childcare.example.pk | +92 21 3456 7812", ((P, "Farah Siddiqui"), (L, "Karachi"), (E, "f.siddiqui@childcare.example.pk"), (T, "+92 21 3456 7812"))),
    ("delivery", "Recipient: Kalani Akana, Hilo. Phone (808) 555-0174. Leave by the lanai.", ((P, "Kalani Akana"), (L, "Hilo"), (T, "(808) 555-0174"))),
    ("support_ticket", "Caller: Bernadette Loughlin, callback on 087 664 2190, query about her Dublin water bill.", ((P, "Bernadette Loughlin"), (T, "087 664 2190"), (L, "Dublin"))),
    ("crm_note", "Mr. Chen Wei (Shenzhen) prefers WeChat but gave mobile +86 138 1234 5678 for urgent matters.", ((P, "Chen Wei"), (L, "Shenzhen"), (T, "+86 138 1234 5678"))),
    ("whatsapp", "Nkosi this is ur uncle, new number 082 447 1903, save it 👍", ((P, "Nkosi"), (T, "082 447 1903"))),
    ("medical", "Emergency contact: Greta Blomqvist (wife), 070-218 44 93.", ((P, "Greta Blomqvist"), (T, "070-218 44 93"))),
    ("travel", "Airport pickup for Mr. Ramanathan, arriving Chennai 02:10. Driver Selvam: 98410 22376.", ((P, "Ramanathan"), (L, "Chennai"), (P, "Selvam"), (T, "98410 22376"))),
    ("form", "Full name: Itzel Cuevas Morales | Phone: 55-3318-9940 | City: Guadalajara", ((P, "Itzel Cuevas Morales"), (T, "55-3318-9940"), (L, "Guadalajara"))),
    ("email", "Call me on 0412 883 106 if the Brisbane flight is delayed. Cheers, Lachlan", ((T, "0412 883 106"), (L, "Brisbane"), (P, "Lachlan"))),
    ("hr", "Night-shift supervisor Ikaika Mahoe can be reached at 808.555.0129 during the Maui outage.", ((P, "Ikaika Mahoe"), (T, "808.555.0129"), (L, "Maui"))),
    ("legal", "Opposing counsel: Mme Fatoumata Keïta, Bamako, tél. +223 76 44 18 20.", ((P, "Fatoumata Keïta"), (L, "Bamako"), (T, "+223 76 44 18 20"))),
    ("chat", "customer: pls call back on 0049 170 5583921, ask for uwe", ((T, "0049 170 5583921"), (P, "uwe"))),
    ("insurance", "Third party: Rangi Walker, ph 021 334 8870, vehicle registered in Tauranga.", ((P, "Rangi Walker"), (T, "021 334 8870"), (L, "Tauranga"))),
    ("real_estate", "Landlord Mrs. Veronika Szabó, tel. +36 30 412 7785, flat near Budapest Keleti.", ((P, "Veronika Szabó"), (T, "+36 30 412 7785"), (L, "Budapest"))),
    ("sms", "Reminder from Harbourside Dental: Aiyana Redcloud, cleaning Tue 3pm. Questions? 604-555-0187", ((P, "Aiyana Redcloud"), (T, "604-555-0187"))),
    ("support_reply", "Hi Svetoslav, our Sofia office number is +359 2 981 4476 if chat is slow.", ((P, "Svetoslav"), (L, "Sofia"), (T, "+359 2 981 4476"))),
    ("government", "Please contact the registrar, Mr. Babatunde Fashola, on 01-270 4418 regarding the Ibadan land title.", ((P, "Babatunde Fashola"), (T, "01-270 4418"), (L, "Ibadan"))),
    ("wedding", "RSVP to Catalina & Mateo by Oct 1 — catalinaymateo2027@boda.example or WhatsApp +54 9 11 6632 0415. See you in Mendoza!", ((P, "Catalina"), (P, "Mateo"), (E, "catalinaymateo2027@boda.example"), (T, "+54 9 11 6632 0415"), (L, "Mendoza"))),
    ("meeting_minutes", "Speaker: Oksana Hrytsenko (Lviv) presented the Q3 figures. Q&A led by Taavi Mägi.", ((P, "Oksana Hrytsenko"), (L, "Lviv"), (P, "Taavi Mägi"))),
    ("chat", "Deepa: did u send it to rajesh?\nme: yes, and cc'd ananya\nDeepa: 👍", ((P, "Deepa", 0), (P, "rajesh"), (P, "ananya"), (P, "Deepa", 1))),
    ("forum", "Looking for Abuela Remedios' recipe for sancocho — she was from Santo Domingo. Does anyone have a similar one?", ((P, "Remedios"), (L, "Santo Domingo"))),
    ("chatbot", "Help me write a eulogy for my uncle Tevita Fifita, who was a fisherman in Vava'u all his life.", ((P, "Tevita Fifita"), (L, "Vava'u"))),
    ("school", "Permission slip: I allow my child Amani Juma to attend the trip to Mombasa. Signed: Halima Juma", ((P, "Amani Juma"), (L, "Mombasa"), (P, "Halima Juma"))),
    ("social", "RIP to the legend Uncle Jimmy Bidwell, Wiradjuri elder and storyteller from Wagga Wagga. 🖤", ((P, "Jimmy Bidwell"), (L, "Wagga Wagga"))),
    ("hr", "Performance review: Ebere's work on the Kano rollout was excellent. Reviewer: Manuel d'Almeida.", ((P, "Ebere"), (L, "Kano"), (P, "Manuel d'Almeida"))),
    ("medical", "My husband Giorgos has been prescribed warfarin; can he still eat the spinach pie his mother makes?", ((P, "Giorgos"),)),
    ("legal", "Deed of gift between Hon. Alinta Watson and her nephew, Kirra Watson-Lee, concerning land at Alice Springs.", ((P, "Alinta Watson"), (P, "Kirra Watson-Lee"), (L, "Alice Springs"))),
    ("crm_note", "Follow-up: Véronique wants a demo for her team in Montreal. Also loop in Étienne Gagnon.", ((P, "Véronique"), (L, "Montreal"), (P, "Étienne Gagnon"))),
    ("travel", "Passenger list: 1) VAN DER MEER/ANNELIES MRS 2) VAN DER MEER/JOOST MR — Amsterdam to Curaçao.", ((P, "VAN DER MEER", 0), (P, "ANNELIES"), (P, "VAN DER MEER", 1), (P, "JOOST"), (L, "Amsterdam"), (L, "Curaçao"))),
    ("whatsapp", "sophie n jules r coming to marseille w us this wknd!! 🌞", ((P, "sophie"), (P, "jules"), (L, "marseille"))),
    ("chat", "[Support] Hana Kobayashi: I've escalated it.\n[Support] Hana Kobayashi: Ref number is 22-8810.", ((P, "Hana Kobayashi", 0), (P, "Hana Kobayashi", 1))),
    ("delivery", "Signed for by: M. Abdirahman. Left at reception, Minneapolis depot.", ((P, "M. Abdirahman"), (L, "Minneapolis"))),
    ("chatbot", "My coworker Bongani keeps taking credit for my work in meetings. How do I raise it with our manager, Mrs. Pillay?", ((P, "Bongani"), (P, "Pillay"))),
    ("forum", "Moving from Winnipeg to Halifax next spring with two kids. Any tips on neighbourhoods? - posted by Marie-Ève", ((L, "Winnipeg"), (L, "Halifax"), (P, "Marie-Ève"))),
    ("support_ticket", "Subscriber Sandeep Kaur Grewal says the invoice shows the wrong address (Brampton instead of Mississauga).", ((P, "Sandeep Kaur Grewal"), (L, "Brampton"), (L, "Mississauga"))),
    ("email", "Dear Professor Mwangi,\nThank you for agreeing to supervise my thesis. I will be in Kisumu until the 20th.\nYours sincerely,\nAchieng Odhiambo", ((P, "Mwangi"), (L, "Kisumu"), (P, "Achieng Odhiambo"))),
    ("meeting_minutes", "Alejandro: budget is tight. Suvi: we can postpone the Helsinki launch. Alejandro: agreed.", ((P, "Alejandro", 0), (P, "Suvi"), (L, "Helsinki"), (P, "Alejandro", 1))),
    ("obituary", "Ngaire Hohaia (née Tamihana) passed away at home in Whanganui. Beloved wife of the late Rawiri.", ((P, "Ngaire Hohaia"), (P, "Tamihana"), (L, "Whanganui"), (P, "Rawiri"))),
    ("birthday", "happy bday gaby!!! 🎉🎉 te quiero mucho, hope Madrid is treating u well", ((P, "gaby"), (L, "Madrid"))),
    ("hr", "Complaint filed by Lwazi Ndlovu against shift lead D. Kowalski, Johannesburg warehouse.", ((P, "Lwazi Ndlovu"), (P, "D. Kowalski"), (L, "Johannesburg"))),
    ("legal", "Can my ex, Stefan Brandt, take our daughter to Switzerland without my permission? We live in Munich.", ((P, "Stefan Brandt"), (L, "Switzerland"), (L, "Munich"))),
    ("insurance", "Claim adjuster Priscilla Boateng visited the property in Kumasi; estimate to follow.", ((P, "Priscilla Boateng"), (L, "Kumasi"))),
    ("school", "Lost property: a blue jumper labelled 'Aleksander K.' — please collect from reception.", ((P, "Aleksander K."),)),
    ("travel", "We're three girls (me, Farida and Shirin) going to Samarkand and Bukhara in April — is a guide worth it?", ((P, "Farida"), (P, "Shirin"), (L, "Samarkand"), (L, "Bukhara"))),
    ("chat", "11:41 <Gustav> anyone seen the build logs?\n11:42 <Leilah> @Gustav they're on the shared drive", ((P, "Gustav", 0), (P, "Leilah"), (P, "Gustav", 1))),
    ("social", "congrats to my bestie Nalani Kealoha on opening her bakery in Kailua!! go get a malasada 🍩", ((P, "Nalani Kealoha"), (L, "Kailua"))),
    ("real_estate", "The owners are selling their farmhouse near Ballarat; enquiries to agent Tom Nguyen.", ((L, "Ballarat"), (P, "Tom Nguyen"))),
    ("medical", "Appt note: Ms. Ewa Jankowska, 54, follow-up for thyroid, referred by Dr. Haruto Mori.", ((P, "Ewa Jankowska"), (P, "Haruto Mori"))),
    ("government", "Voter registration for Kealohilani Pua, address change from Kona to Lihue.", ((P, "Kealohilani Pua"), (L, "Kona"), (L, "Lihue"))),
    ("crm_note", "Met Idris Bakare at the Abuja expo — wants pricing for 200 seats. Follow up next week.", ((P, "Idris Bakare"), (L, "Abuja"))),
    ("whatsapp", "mum said auntie funmi is coming from ibadan on friday so clean ur room 😤", ((P, "funmi"), (L, "ibadan"))),
    ("job_application", "I, Mateus Fonseca Lima, am applying for the warehouse supervisor role in Curitiba.", ((P, "Mateus Fonseca Lima"), (L, "Curitiba"))),
    ("reference_letter", "To whom it may concern: Ravshan Tursunov worked as my research assistant in Tashkent from 2022 to 2025. — Prof. Gulnara Saidova", ((P, "Ravshan Tursunov"), (L, "Tashkent"), (P, "Gulnara Saidova"))),
    ("forum", "my gran (Agnes McTavish, 91) still walks to the shops in Inverness every day, what's her secret", ((P, "Agnes McTavish"), (L, "Inverness"))),
    ("email", "Hello team, please welcome Thi Lan Pham, who joins us from Hanoi as product designer. — Olumide", ((P, "Thi Lan Pham"), (L, "Hanoi"), (P, "Olumide"))),
    ("chatbot", "Create a study plan for my daughter Sakura, she has exams in Osaka in June.", ((P, "Sakura"), (L, "Osaka"))),
    ("support_reply", "Dear Mr. de la Fuente, your replacement router has been dispatched to Valencia. Kind regards, Astrid", ((P, "de la Fuente"), (L, "Valencia"), (P, "Astrid"))),
    ("legal", "Tenant: Kalinda Brown-Jackson. Landlord: Ahmet Yilmaz. Premises: 4/22 High St, Parramatta.", ((P, "Kalinda Brown-Jackson"), (P, "Ahmet Yilmaz"), (L, "Parramatta"))),
    ("meeting_minutes", "Minute taker: Marjatta. Attendees: Iñaki Etxeberria, Colm, Tshepo Molefe, Dr. Anh Tran.", ((P, "Marjatta"), (P, "Iñaki Etxeberria"), (P, "Colm"), (P, "Tshepo Molefe"), (P, "Anh Tran"))),
    ("sms", "This is Pastor Emmanuel from Grace Chapel, Accra. Prayer meeting moved to 7pm.", ((P, "Emmanuel"), (L, "Accra"))),
    ("insurance", "Roof claim — insured Mr. & Mrs. Kowalewski, Green Bay. Contractor: Fitzgerald Roofing.", ((P, "Kowalewski"), (L, "Green Bay"))),
    ("chat", "hey its yasmin from the gym, u left ur water bottle lol", ((P, "yasmin"),)),
    ("hr", "Sick leave approved for Kristjan Tamm (3 days). Cover: Liis Saar.", ((P, "Kristjan Tamm"), (P, "Liis Saar"))),
    ("travel", "Car hire collected in Reykjavik by driver Guðrún Sigurðardóttir; second driver Einar.", ((L, "Reykjavik"), (P, "Guðrún Sigurðardóttir"), (P, "Einar"))),
    ("forum", "Does anyone know a good Tamil tutor in Singapore? My son Aadhavan is 7.", ((L, "Singapore"), (P, "Aadhavan"))),
    ("email", "Thanks, Bilal. I'll forward the Karachi numbers to Zeynep tonight.\n\n— Sent from my phone", ((P, "Bilal"), (L, "Karachi"), (P, "Zeynep"))),
    ("wedding", "Mr. and Mrs. Onyekachi Eze request the pleasure of your company at the marriage of their daughter Chiamaka to Ugochukwu Nnaji, Owerri.", ((P, "Onyekachi Eze"), (P, "Chiamaka"), (P, "Ugochukwu Nnaji"), (L, "Owerri"))),
    ("school", "Bus 12 will be late today. Driver Mr. Lemalu apologises. Kids from Porirua stop affected.", ((P, "Lemalu"), (L, "Porirua"))),
    ("government", "FOI request from journalist Mirela Popescu concerning road contracts in Timișoara.", ((P, "Mirela Popescu"), (L, "Timișoara"))),
    ("crm_note", "Do not call before 10am — Ms. Ingeborg Lund asked twice. Based in Aarhus.", ((P, "Ingeborg Lund"), (L, "Aarhus"))),
    ("chatbot", "I'm Kaveh, 34, living in Isfahan. Which master's programmes in Germany accept English-only applicants?", ((P, "Kaveh"), (L, "Isfahan"), (L, "Germany"))),
    ("support_ticket", "Escalated by Maximilian Weiß: customer Oumar Ba (Dakar) still without service.", ((P, "Maximilian Weiß"), (P, "Oumar Ba"), (L, "Dakar"))),
    ("delivery", "Parcel for Leota Sapolu, Pago Pago, held at post office. Bring ID.", ((P, "Leota Sapolu"), (L, "Pago Pago"))),
    ("social", "shoutout to coach benny for getting the u12s to the final in townsville 🏉", ((P, "benny"), (L, "townsville"))),
    ("medical", "My father Hamza Al-Khatib has diabetes and we're flying from Amman to Toronto. What should he pack?", ((P, "Hamza Al-Khatib"), (L, "Amman"), (L, "Toronto"))),
    ("reference_letter", "I supervised Camille Nkurunziza during her placement at our Kigali clinic and recommend her strongly.", ((P, "Camille Nkurunziza"), (L, "Kigali"))),
    ("chat", "Rep: May I speak with the account holder?\nCaller: That's my wife, Oyelaran. I'm Femi, her husband.", ((P, "Oyelaran"), (P, "Femi"))),
    ("log", "user=\"Sinéad Ní Bhriain\" action=export rows=1200 host=10.8.2.44", ((P, "Sinéad Ní Bhriain"), (IP, "10.8.2.44"))),
    ("email", "Hi all, Nam and I will be in Da Nang next week so replies may be slow. Thanks, Linh", ((P, "Nam"), (L, "Da Nang"), (P, "Linh"))),
    ("legal", "Power of attorney granted by Milagros Chávez to her son Esteban Chávez, Lima, Peru.", ((P, "Milagros Chávez"), (P, "Esteban Chávez"), (L, "Lima"), (L, "Peru"))),
    ("forum", "Thanks to Chayton from the reservation cultural centre for explaining the powwow etiquette. Lovely day in Bismarck.", ((P, "Chayton"), (L, "Bismarck"))),
    ("hr", "Onboarding buddy for Yosef Mizrahi will be Shira Katz, Tel Aviv office.", ((P, "Yosef Mizrahi"), (P, "Shira Katz"), (L, "Tel Aviv"))),
    ("chatbot", "rewrite this so it sounds nicer: 'jaroslav, the report was late again.'", ((P, "jaroslav"),)),
    ("whatsapp", "Tomás just landed in Montevideo!! 🇺🇾 he says hi to u and Valentina", ((P, "Tomás"), (L, "Montevideo"), (P, "Valentina"))),
    ("school", "Yearbook photo credits: Isabela Rocha, Makoa Kane and Ms. D. Fairweather.", ((P, "Isabela Rocha"), (P, "Makoa Kane"), (P, "D. Fairweather"))),
    ("calendar", "Dentist – Ahanu Whitehorse 🦷 Thu 4:30pm, Flagstaff clinic", ((P, "Ahanu Whitehorse"), (L, "Flagstaff"))),
    ("chat", "me: did u get the tickets?\nnaledi: ya, emailed them to u from naledi.k@mailbox.example\nme: ok thx", ((P, "naledi", 0), (E, "naledi.k@mailbox.example"))),
    ("whatsapp", "omg bumped into siddharth and his sister meenakshi at the airport in kochi 😱", ((P, "siddharth"), (P, "meenakshi"), (L, "kochi"))),
    ("sms", "hi its dolores, my new email is dolores.aguirre77@correo.example pls update ur contacts", ((P, "dolores", 0), (E, "dolores.aguirre77@correo.example"))),
    ("chat", "user: can u forward this to jake.m@outpost-media.example\nbot: Sure! Who should I say it's from?\nuser: tell him its from henrik", ((E, "jake.m@outpost-media.example"), (P, "henrik"))),
    ("forum", "anyone else in vancouver get a scam call from '+1 604 555 0133' claiming to be from the tax office? my roommate yuki almost fell for it", ((L, "vancouver"), (T, "+1 604 555 0133"), (P, "yuki"))),
    ("support_ticket", "From: kiri.tamatea@webmail.example\nBody: hi im kiri, my order never arrived in gisborne", ((E, "kiri.tamatea@webmail.example"), (P, "kiri", 1), (L, "gisborne"))),
    ("negative_support", "The Dyson V15 stopped charging after the firmware update to version 3.2.1. Order #A-774120.", ()),
    ("negative_medical", "Is it safe to take Tylenol with Lipitor? My doctor mentioned Parkinson's disease runs in families.", ()),
    ("negative_chatbot", "Explain Dijkstra's algorithm and compare it with the Bellman-Ford approach.", ()),
    ("negative_forum", "Just finished rereading Anna Karenina and now starting Madame Bovary. Any similar classics?", ()),
    ("negative_sports", "Manchester United beat Real Madrid 2-1 in the friendly; Inter Miami play on Saturday.", ()),
    ("negative_finance", "Invoice 2026-0043 total $1,249.00 due 15/01/2027. Payment terms: net 30.", ()),
    ("negative_chatbot", "Write a short story in which Sherlock Holmes and Hermione Granger solve a mystery together.", ()),
    ("negative_tech", "Upgrade to Python 3.12.4 and pin numpy==1.26.4; the build runs on Ubuntu 22.04 LTS.", ()),
    ("negative_retail", "The Ford Mustang and the Tesla Model Y are both on sale this weekend at the dealership.", ()),
    ("negative_medical", "Symptoms consistent with Crohn's disease; rule out Hodgkin lymphoma. Start prednisone 20 mg.", ()),
    ("negative_science", "The voltage is measured in volts, current in amperes, and temperature in kelvin; Newton's laws still apply.", ()),
    ("negative_legal", "Under the Sarbanes-Oxley Act and Megan's Law, certain disclosures are mandatory.", ()),
    ("negative_music", "Now playing: 'Jolene' by the house band, then 'Hey Jude' — requested by table 4.", ()),
    ("negative_food", "Order: two Big Macs, one McFlurry, a Caesar salad and an Earl Grey tea. Total £14.80.", ()),
    ("negative_log", "INFO build 8.14.2 completed in 312s, 0 failures, artefact size 44.1 MB", ()),
    ("negative_support", "Your order #88213-X shipped on 3 Dec via Standard Delivery. Estimated arrival: 5-7 working days.", ()),
    ("negative_tech", "Kubernetes 1.31 deprecates several APIs; see the changelog for Helm chart version 2.4.0.", ()),
    ("negative_chat", "lol the new Marvel movie is so long, Thor was the best part tbh 😂", ()),
    ("negative_hr", "Reminder: annual leave requests for December must be submitted by Friday. Thanks, HR Team", ()),
    ("negative_finance", "The Dow Jones fell 1.2% while the Nasdaq rose; Berkshire Hathaway reported earnings.", ()),
    ("negative_education", "Students will study Pythagoras' theorem, the Fibonacci sequence and Euler's identity this term.", ()),
    ("negative_travel", "Gate changed to B42. Boarding at 14:35. Flight QF12 delayed by 40 minutes.", ()),
    ("negative_medical", "Prescribed: Ozempic 0.5 mg weekly, metformin 500 mg twice daily. Review in 12 weeks.", ()),
    ("negative_retail", "Returns accepted within 30 days. Use code WINTER25 for 25% off Levi's jeans and Nike trainers.", ()),
    ("negative_gaming", "Mario Kart and The Legend of Zelda: Tears of the Kingdom are discounted in the eShop.", ()),
    ("negative_csv", "sku,product,price,qty\nA-1001,Philips Hue bulb,19.99,4\nA-1002,Bosch drill,89.00,1", ()),
    ("negative_json", '{"version":"2.0.1","status":"ok","items":42,"updated":"2026-12-01T10:00:00Z"}', ()),
    ("negative_forum", "Does the Alzheimer's Association accept donations in kind? We have spare wheelchairs.", ()),
    ("negative_chatbot", "What is the difference between a Gaussian distribution and a Poisson distribution?", ()),
    ("negative_tech", "Error 0x80070005: access denied when installing the Adobe Acrobat update.", ()),
    ("negative_support", "Thank you for contacting us. Your case number is 4451-2291. We'll reply within 48 hours.", ()),
    ("negative_school", "Spelling test on Monday: Friday, January, Wednesday, February, Tuesday.", ()),
    ("negative_meeting", "Action items: finalise the Q4 roadmap, review the budget, schedule the offsite. Next meeting: Tuesday.", ()),
    ("negative_food", "Recipe: Beef Wellington with Béarnaise sauce, served with Yorkshire pudding and Brussels sprouts.", ()),
    ("negative_science", "Avogadro's number is about 6.022e23; Planck's constant is 6.626e-34 J·s.", ()),
    ("negative_retail", "The Johnnie Walker Black Label and the Jack Daniel's gift set are back in stock.", ()),
    ("negative_chat", "ok see u at 7 🙂 bring snacks!!", ()),
    ("negative_tech", "Use the Levenshtein distance or a Bloom filter; the Boyer-Moore algorithm is overkill here.", ()),
    ("negative_insurance", "Your premium for 2027 is $1,132.40, an increase of 4.1% on last year.", ()),
    ("negative_legal", "Miranda rights must be read before questioning; see also the Geneva Conventions.", ()),
    ("negative_medical", "Down syndrome screening and the Apgar score are routine; Tourette syndrome is unrelated.", ()),
    ("negative_chatbot", "Summarise the plot of Harry Potter and the Goblet of Fire in three sentences.", ()),
    ("negative_log", "WARN disk usage 91% on /dev/sda1; rotating logs; next check in 300s", ()),
    ("negative_books", "Book club pick for January: 'The Great Gatsby'; February: 'One Hundred Years of Solitude'.", ()),
    ("negative_music", "Setlist: Bohemian Rhapsody, Hotel California, Stairway to Heaven, Wonderwall.", ()),
    ("negative_sports", "The Chicago Bulls and the LA Lakers meet on Christmas Day; tip-off 8pm ET.", ()),
    ("negative_support", "Please restart the Samsung Galaxy S24 holding Power and Volume Down for 10 seconds.", ()),
    ("negative_finance", "Exchange rate today: 1 EUR = 1.08 USD. Fee: 0.5%. Reference TX-55019-B.", ()),
    ("negative_tech", "The Raspberry Pi 5 runs Debian Bookworm; set the GPIO pin 17 high to light the LED.", ()),
    ("negative_retail", "Ben & Jerry's, Häagen-Dazs and Baskin-Robbins flavours ranked by our readers.", ()),
    ("negative_education", "The Turing test and the Church-Turing thesis are covered in week 6 of Computability.", ()),
    ("negative_chat", "happy friday everyone!!! who's up for pizza 🍕", ()),
    ("negative_hr", "The Myers-Briggs workshop is on Thursday at 2pm in Meeting Room Everest.", ()),
    ("negative_medical", "Apply Vicks VapoRub and take Benadryl at night; avoid Advil if your stomach is sensitive.", ()),
    ("negative_chatbot", "Compare the Fourier transform with the Laplace transform for solving ODEs.", ()),
    ("negative_film", "Tonight's double bill: 'Forrest Gump' and 'Amélie'. Popcorn is half price.", ()),
    ("negative_support", "Model XR-220 firmware v4.0.7 fixes the Bluetooth pairing bug. Serial numbers starting 22B are affected.", ()),
    ("negative_form", "Quantity: 3\nUnit price: 12.50\nTotal: 37.50\nDelivery: Standard (3-5 days)", ()),
    ("negative_tech", "The Hadoop cluster and the Cassandra nodes were upgraded; Kafka lag is back to normal.", ()),
    ("negative_games", "Mrs. Pac-Man and Donkey Kong are the classics we'll have at the arcade night.", ()),
    ("negative_science", "Halley's Comet returns in 2061; the Kuiper belt lies beyond Neptune's orbit.", ()),
    ("negative_legal", "Clause 14.2 survives termination. This agreement is governed by the laws described in Schedule B.", ()),
    ("negative_retail", "Tim Hortons and Dunkin' both launched pumpkin spice drinks this autumn.", ()),
    ("negative_chat", "the meeting got moved to 3:30, room 4B, bring laptops", ()),
    ("negative_medical", "Raynaud's phenomenon and Bell's palsy were both discussed at the grand rounds.", ()),
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
    return kind, start, start + len(value), value


def build_rows() -> list[dict]:
    """The labelled rows, with offsets computed from the values; DataError on any bad item."""
    rows = []
    for number, (kind, text, items) in enumerate(ROWS, start=1):
        row_id = f"m{number:04d}"
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
