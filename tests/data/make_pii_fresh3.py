"""Generate tests/data/pii_fresh3.jsonl: a third fresh, held-out labelled PII test set.

Who: written by a helper session of the Workbench project (a language-model assistant acting as
a data writer), on 2026-12-05, for the PII redaction benchmark's final held-out test.

How: every sentence below was hand-written as data in this file, one row at a time, to look like
real inputs to an LLM fine-tuning pipeline (chat logs, prompts, support tickets, e-mails, forms,
CSV/JSON snippets, SMS, meeting notes...). It is not a template filled in a loop. Names and places
were invented/chosen by the writer, not drawn from any package's name or place lists. Card
numbers, IBANs and SSNs were produced once by a small throw-away script (Luhn / ISO 13616 mod-97 /
SSA area-group-serial rules) and pasted in as literals. The writer did not open Workbench's PII
code, its docs, or the earlier test sets, and never ran any recogniser (Workbench's redactor,
Presidio, spaCy) over these sentences: no row or label was chosen by looking at what a recogniser
finds.

Offsets are computed here from the labelled values: a value must occur exactly once in its row as
a whole token (not inside a longer word/number) unless an occurrence index is given; otherwise
the script fails loudly. Run:  python tests/data/make_pii_fresh3.py  (rewrites the .jsonl).

Label conventions: PERSON is a person's name only (no titles; possessive 's excluded); LOCATION is
a place name (city, town, country, region), never an organisation; in postal addresses only the
city/country is labelled; a URL that contains an e-mail is one URL; dates, ages and organisations
are not labelled. Rows whose kind starts with "negative_" contain look-alikes and no PII.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).with_name("pii_fresh3.jsonl")

P, L, EM, PH, CC, SSN, IB, IP, URL = (
    "PERSON", "LOCATION", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN",
    "IBAN_CODE", "IP_ADDRESS", "URL",
)

ROWS: list[tuple] = []


def r(kind: str, text: str, *ents: tuple) -> None:
    """Add one row: ents are (type, value) or (type, value, occurrence_index)."""
    ROWS.append((kind, text, ents))


# --- questions to an assistant with personal context ---------------------------------------
r("assistant_legal", "My landlord Mr Adeyemi says he can keep the whole deposit because of a scuffed wall. Is that legal in Manchester?",
  (P, "Adeyemi"), (L, "Manchester"))
r("assistant_personal", "Can you help me write a birthday message for my mother-in-law, Ngozi? She turns 60 on Saturday and loves gardening.",
  (P, "Ngozi"))
r("assistant_personal", "i need to say sorry to my friend kwame bc i missed his wedding in kumasi, how do i word it without sounding fake",
  (P, "kwame"), (L, "kumasi"))
r("assistant_hr", "I'm a team lead and one of my reports, Priyanka Raghunathan, keeps missing standups. How do I raise it kindly?",
  (P, "Priyanka Raghunathan"))
r("assistant_travel", "We're flying from Nairobi to Addis Ababa next month with my in-laws, Wanjiru and Kamau Njoroge. Do Kenyans need a visa?",
  (L, "Nairobi"), (L, "Addis Ababa"), (P, "Wanjiru"), (P, "Kamau Njoroge"))
r("assistant_medical", "My dad, Tesfaye Bekele, was told his HbA1c is 8.2. He lives alone in Dire Dawa. What should we ask his doctor?",
  (P, "Tesfaye Bekele"), (L, "Dire Dawa"))
r("assistant_school", "Our son Arjun's teacher, Mrs. Fitzgerald, wants him tested for dyslexia. What does that involve?",
  (P, "Arjun"), (P, "Fitzgerald"))
r("assistant_finance", "My accountant Hamid Qureshi said I can deduct my home office. I rent a flat in Lahore but work for a UK firm. True?",
  (P, "Hamid Qureshi"), (L, "Lahore"), (L, "UK"))
r("assistant_personal", "Write a short toast for my best friend's wedding. Her name is Nusrat Jahan and she's marrying Tanvir from Sylhet.",
  (P, "Nusrat Jahan"), (P, "Tanvir"), (L, "Sylhet"))
r("assistant_legal", "My ex, Wei Zhang, moved to Vancouver with our daughter without telling me. What are my options?",
  (P, "Wei Zhang"), (L, "Vancouver"))
r("assistant_personal", "Translate into Korean: 'Dear Ji-hoon, thank you for hosting us in Busan.'",
  (P, "Ji-hoon"), (L, "Busan"))
r("assistant_travel", "Is it worth taking the train from Osaka to Kanazawa? My colleague Haruka Tanabe said the bus is cheaper.",
  (L, "Osaka"), (L, "Kanazawa"), (P, "Haruka Tanabe"))
r("assistant_personal", "help me reply to my cousin nguyen van thanh, he asked to borrow money again and i dont want to",
  (P, "nguyen van thanh"))
r("assistant_hr", "Our new hire Maria Clara dela Cruz starts Monday in our Cebu office. Draft a welcome e-mail from me (Joy).",
  (P, "Maria Clara dela Cruz"), (L, "Cebu"), (P, "Joy"))
r("assistant_travel", "I'm visiting Yogyakarta with Putri and Bayu Santoso in June. What temples can we do in one day?",
  (L, "Yogyakarta"), (P, "Putri"), (P, "Bayu Santoso"))
r("assistant_personal", "My neighbour Abdullah Al-Harbi keeps parking across my driveway. How do I bring it up without a fight?",
  (P, "Abdullah Al-Harbi"))
r("assistant_legal", "Emre Yıldız, my business partner, wants to dissolve our company in Izmir. What paperwork do we need?",
  (P, "Emre Yıldız"), (L, "Izmir"))
r("assistant_personal", "Suggest a nice gift for Shirin Farahani, she's my thesis supervisor and she's retiring after 30 years.",
  (P, "Shirin Farahani"))
r("assistant_school", "Can you check this reference letter I wrote for Wojciech Nowakowski? He's applying to a master's in Kraków.",
  (P, "Wojciech Nowakowski"), (L, "Kraków"))
r("assistant_travel", "Planning a road trip from Brno to Český Krumlov with Tereza. Is the D1 still a mess?",
  (L, "Brno"), (L, "Český Krumlov"), (P, "Tereza"))
r("assistant_medical", "My grandmother Lyudmila Sergeyevna Orlova takes warfarin. Is it safe for her to eat spinach?",
  (P, "Lyudmila Sergeyevna Orlova"))
r("assistant_personal", "Write a condolence note to Oksana Kovalenko, whose husband passed away in Lviv last week.",
  (P, "Oksana Kovalenko"), (L, "Lviv"))
r("assistant_travel", "Best ferry from Piraeus to Naxos? My friend Giorgos Papadakis recommended a slow boat.",
  (L, "Piraeus"), (L, "Naxos"), (P, "Giorgos Papadakis"))
r("assistant_personal", "How do I pronounce Sigríður? My new manager is Sigríður Jónsdóttir from Akureyri.",
  (P, "Sigríður", 0), (P, "Sigríður Jónsdóttir"), (L, "Akureyri"))
r("assistant_finance", "My Dutch colleague Joost van der Berg says I should open a bank account in Utrecht before starting. Why?",
  (P, "Joost van der Berg"), (L, "Utrecht"))
r("assistant_legal", "Mein Vermieter heißt Herr Schäfer... sorry, English: my landlord Mr Schäfer in Leipzig raised the rent 20%. Allowed?",
  (P, "Schäfer", 0), (P, "Schäfer", 1), (L, "Leipzig"))
r("assistant_personal", "Rewrite this more politely: 'Élodie, you forgot to send the slides AGAIN.'",
  (P, "Élodie"))
r("assistant_school", "Our exchange student, Giulia Bernardi from Bologna, can't eat gluten. Any easy school-lunch ideas?",
  (P, "Giulia Bernardi"), (L, "Bologna"))
r("assistant_travel", "We land in Seville at 11pm. Can Alejandro García pick us up or should we get a taxi?",
  (L, "Seville"), (P, "Alejandro García"))
r("assistant_personal", "Help me plan a surprise for João Pedro's 40th in Porto, he likes fado and football.",
  (P, "João Pedro"), (L, "Porto"))
r("assistant_personal", "minha amiga Larissa Moura de Souza mora em Belo Horizonte, how do I say happy birthday in Portuguese informally?",
  (P, "Larissa Moura de Souza"), (L, "Belo Horizonte"))
r("assistant_travel", "Flying Guadalajara to Oaxaca with my tía Guadalupe Hernández Ríos, she uses a wheelchair. What do I need to book?",
  (L, "Guadalajara"), (L, "Oaxaca"), (P, "Guadalupe Hernández Ríos"))
r("assistant_personal", "My boyfriend Ciarán O'Sullivan is from Cork and I want to surprise him with an Irish phrase. Ideas?",
  (P, "Ciarán O'Sullivan"), (L, "Cork"))
r("assistant_personal", "Is Eilidh pronounced 'Ay-lee'? My daughter's best friend is Eilidh MacLeod from Inverness.",
  (P, "Eilidh", 0), (P, "Eilidh MacLeod"), (L, "Inverness"))
r("assistant_school", "Draft a note to Mr Llewellyn, my son's Welsh teacher in Aberystwyth, asking about extra homework.",
  (P, "Llewellyn"), (L, "Aberystwyth"))
r("assistant_personal", "What's a good bar mitzvah gift for Eliezer Rosenbaum? His parents are Miriam and Avi.",
  (P, "Eliezer Rosenbaum"), (P, "Miriam"), (P, "Avi"))
r("assistant_personal", "My koro, Hemi Te Rangi, is turning 80 in Rotorua. Help me write a mihi for him.",
  (P, "Hemi Te Rangi"), (L, "Rotorua"))
r("assistant_personal", "We're organising a fiafia night for Aunty Losa Tuilagi in Apia. What food should we prep?",
  (P, "Losa Tuilagi"), (L, "Apia"))
r("assistant_hr", "Give me feedback phrasing for Oluwaseun Adebayo-Williams, great engineer, but misses deadlines.",
  (P, "Oluwaseun Adebayo-Williams"))
r("assistant_personal", "Can you make a limerick about my friend Chidi who always loses his keys?",
  (P, "Chidi"))
r("assistant_medical", "The neurologist, Dr. Okonkwo, said my mum might have early dementia. What tests come next?",
  (P, "Okonkwo"))
r("assistant_legal", "Our lawyer Ms. Abena Owusu-Ansah says the contract clause is void in Ghana. Can you explain why?",
  (P, "Abena Owusu-Ansah"), (L, "Ghana"))
r("assistant_personal", "my bf jamal keeps saying im too clingy lol how do i know if thats true",
  (P, "jamal"))
r("assistant_personal", "Need a polite no to Rajesh Venkataraman, he invited me to his startup pitch and I can't go.",
  (P, "Rajesh Venkataraman"))
r("assistant_travel", "Trip idea: Hanoi -> Ha Long Bay -> Hue with Linh and her brother Minh. Three days enough?",
  (L, "Hanoi"), (L, "Ha Long Bay"), (L, "Hue"), (P, "Linh"), (P, "Minh"))
r("assistant_personal", "My daughter Mei-Ling wants to learn piano. Her grandparents in Taichung will pay for lessons. Tips for choosing a teacher?",
  (P, "Mei-Ling"), (L, "Taichung"))
r("assistant_finance", "I split rent with Seo-yeon and Daniel Park. Seo-yeon's share is bigger room. How do we divide fairly?",
  (P, "Seo-yeon", 0), (P, "Daniel Park"), (P, "Seo-yeon", 1))
r("assistant_personal", "Write a short bio for Kenji Watanabe-Ortiz, a chef who grew up between Lima and Sapporo.",
  (P, "Kenji Watanabe-Ortiz"), (L, "Lima"), (L, "Sapporo"))
r("assistant_legal", "Farid's employer in Dubai is holding his passport. What can he do? (Farid is my brother.)",
  (P, "Farid", 0), (L, "Dubai"), (P, "Farid", 1))
r("assistant_personal", "What should I text Anneke after our first date? We met at a book club in Groningen.",
  (P, "Anneke"), (L, "Groningen"))
r("assistant_travel", "My partner Björn and I want to drive from Gothenburg to Bergen in winter. Safe?",
  (P, "Björn"), (L, "Gothenburg"), (L, "Bergen"))
r("assistant_personal", "Please proofread my letter to Madame Lefèvre-Dubois, the head of my son's school in Lyon.",
  (P, "Lefèvre-Dubois"), (L, "Lyon"))
r("assistant_hr", "Summarise this complaint from Tomasz about his manager, Kasia Wróblewska, for HR.",
  (P, "Tomasz"), (P, "Kasia Wróblewska"))
# --- support tickets, customer e-mails, signatures, quoted replies --------------------------
r("support_ticket", "Ticket #48213 - customer Fiona Gallagher (fiona.gallagher@brightmail.ie) cannot log in since the update. Callback on +353 87 412 9930.",
  (P, "Fiona Gallagher"), (EM, "fiona.gallagher@brightmail.ie"), (PH, "+353 87 412 9930"))
r("support_email", "Hi,\nI was charged twice on card 4069006792188143 for order 5512-A. Please refund one.\nThanks,\nDerek Mwangi",
  (CC, "4069006792188143"), (P, "Derek Mwangi"))
r("support_email", "Hello support, my refund should go to IBAN DE45 4901 4871 0478 9229 36 (account holder: Lena Hoffmann). Regards, Lena",
  (IB, "DE45 4901 4871 0478 9229 36"), (P, "Lena Hoffmann"), (P, "Lena", 1))
r("support_ticket", "User reports 403 on the admin panel from IP 203.0.113.58. Account owner: rkapoor@northwind-tools.com. Assigned to Siobhan.",
  (IP, "203.0.113.58"), (EM, "rkapoor@northwind-tools.com"), (P, "Siobhan"))
r("support_email", "> On Tue, Anita Desai wrote:\n> Could you resend the invoice?\nSure Anita, attached. You can also download it at https://billing.quillpay.com/inv/88213?u=anita.\n-- Marco",
  (P, "Anita Desai"), (P, "Anita", 1), (URL, "https://billing.quillpay.com/inv/88213?u=anita"), (P, "Marco"))
r("support_ticket", "Priority: high\nReporter: Hyun-woo Lim\nEmail: hw.lim@kaya-logistics.kr\nPhone: +82 10-3381-5520\nIssue: tracking page blank for shipments to Incheon.",
  (P, "Hyun-woo Lim"), (EM, "hw.lim@kaya-logistics.kr"), (PH, "+82 10-3381-5520"), (L, "Incheon"))
r("support_email", "Dear team, please cancel my subscription. Card ending 3397 was used but the full number on file is 5290 0455 4108 1397. Many thanks, Margarethe Vogel, Graz",
  (CC, "5290 0455 4108 1397"), (P, "Margarethe Vogel"), (L, "Graz"))
r("support_chat", "Agent (Nadia): Can I have the email on the account?\nCustomer: its tomas.novak88@seznam.cz\nAgent (Nadia): Thanks Tomáš, I see two orders.",
  (P, "Nadia", 0), (EM, "tomas.novak88@seznam.cz"), (P, "Nadia", 1), (P, "Tomáš"))
r("support_ticket", "Chargeback received for Amex 3418 766248 77107, cardholder Beatriz Carvalho, shipping address in Campinas, Brazil.",
  (CC, "3418 766248 77107"), (P, "Beatriz Carvalho"), (L, "Campinas"), (L, "Brazil"))
r("support_email", "Hi there - I'm locked out. My backup email is k.otieno@safarimail.co.ke and my number is +254 722 118 406. - Kevin Otieno",
  (EM, "k.otieno@safarimail.co.ke"), (PH, "+254 722 118 406"), (P, "Kevin Otieno"))
r("support_email", "Refund please to NL17 ZHMG 3511 4662 36. Name on the account: Pieter-Jan de Wit. Sorry for the hassle!",
  (IB, "NL17 ZHMG 3511 4662 36"), (P, "Pieter-Jan de Wit"))
r("support_ticket", "Login anomaly: successful sign-in for user ahmed.sayed@example.org from 2001:db8:85a3::8a2e:370:7334 (unusual), previous from 198.51.100.12.",
  (EM, "ahmed.sayed@example.org"), (IP, "2001:db8:85a3::8a2e:370:7334"), (IP, "198.51.100.12"))
r("support_email", "Thank you for your quick help yesterday!\n\nBest wishes,\nDr. Ingrid Halvorsen\nSenior Researcher\nTel: +47 412 38 907\ningrid.halvorsen@fjordlab.no",
  (P, "Ingrid Halvorsen"), (PH, "+47 412 38 907"), (EM, "ingrid.halvorsen@fjordlab.no"))
r("support_chat", "customer: hi my name is lucia ferrante, my card got declined 2221171775193707\nbot: I'm sorry Lucia, let me connect you to an agent.",
  (P, "lucia ferrante"), (CC, "2221171775193707"), (P, "Lucia"))
r("support_ticket", "Customer Rahul Menon (Pune) wants his invoice re-issued to his new address. Contact: rahul.menon@outlook.in / +91 98220 41576.",
  (P, "Rahul Menon"), (L, "Pune"), (EM, "rahul.menon@outlook.in"), (PH, "+91 98220 41576"))
r("support_email", "Hello, this is Chloé Martin. My phone changed to 06 71 24 88 13. Please update my profile. Bonne journée!",
  (P, "Chloé Martin"), (PH, "06 71 24 88 13"))
r("support_email", "Can you wire the deposit back to ES51 4946 7187 7798 6175 6022? Holder is Javier Ortega Molina, Zaragoza. Thx",
  (IB, "ES51 4946 7187 7798 6175 6022"), (P, "Javier Ortega Molina"), (L, "Zaragoza"))
r("support_ticket", "Duplicate account merge: mei.tanaka@kumo.jp and meitanaka.work@gmail.com belong to Mei Tanaka. Verified by phone +81 90-4471-2039.",
  (EM, "mei.tanaka@kumo.jp"), (EM, "meitanaka.work@gmail.com"), (P, "Mei Tanaka"), (PH, "+81 90-4471-2039"))
r("support_email", "Ciao, the package for Alessandro Ricci never arrived in Torino. Tracking: https://track.velocargo.it/p/IT99812. Grazie",
  (P, "Alessandro Ricci"), (L, "Torino"), (URL, "https://track.velocargo.it/p/IT99812"))
r("support_chat", "[10:02] Olamide: hello?? been waiting 20 mins\n[10:04] Agent Craig: Hi Olamide, sorry! What's the Discover card you used? Just the last 4 please\n[10:05] Olamide: oops here's all of it 6011201687859171",
  (P, "Olamide", 0), (P, "Craig"), (P, "Olamide", 1), (P, "Olamide", 2), (CC, "6011201687859171"))
r("support_ticket", "Caller: Mrs. Patricia Nkemelu. DOB on file. SSN verified: 285-47-0721. Request: change beneficiary to her son Ikenna.",
  (P, "Patricia Nkemelu"), (SSN, "285-47-0721"), (P, "Ikenna"))
r("support_email", "Hey! Our server at 172.16.40.9 can't reach your API since this morning. Could someone look? -- Femi (DevOps, Lagos)",
  (IP, "172.16.40.9"), (P, "Femi"), (L, "Lagos"))
r("support_email", "Please send the replacement to: Hana Dvořáková, Vinohradská 12, 120 00 Praha 2, Czech Republic. Phone +420 602 771 348.",
  (P, "Hana Dvořáková"), (L, "Praha"), (L, "Czech Republic"), (PH, "+420 602 771 348"))
r("support_email", "Thanks, that fixed it.\n\nCheers,\nAroha Ngata | Customer Success\nM: +64 21 455 0917 | aroha@kiwiharvest.co.nz",
  (P, "Aroha Ngata"), (PH, "+64 21 455 0917"), (EM, "aroha@kiwiharvest.co.nz"))
r("support_ticket", "Fraud review: Mastercard 5409 1237 4243 6641 used from 45.67.89.120 (Romania) while customer Brian Keane is in Dublin.",
  (CC, "5409 1237 4243 6641"), (IP, "45.67.89.120"), (L, "Romania"), (P, "Brian Keane"), (L, "Dublin"))
r("support_email", "I unsubscribed via https://news.tinytrails.com/unsubscribe?email=olga.petrenko%40ukr.net but still get mail. Olga",
  (URL, "https://news.tinytrails.com/unsubscribe?email=olga.petrenko%40ukr.net"), (P, "Olga"))
r("support_chat", "me: whats my balance\nbot: Please confirm your name.\nme: samir haddad\nbot: Thanks Samir. Your balance is $41.20.",
  (P, "samir haddad"), (P, "Samir"))
r("support_ticket", "Escalated by Thandiwe Dlamini: customer in Durban double-billed, card 4280 6666 5351 0348, wants refund to card not wallet.",
  (P, "Thandiwe Dlamini"), (L, "Durban"), (CC, "4280 6666 5351 0348"))
r("support_email", "Hi, new bank details for the rental payouts: GB46 ARXJ 0445 6273 6748 43 (Mr & Mrs Okafor). Please confirm. Chinedu",
  (IB, "GB46 ARXJ 0445 6273 6748 43"), (P, "Okafor"), (P, "Chinedu"))
r("support_email", "Bonjour,\nMy husband Karim Benali and I both use the account. His email is karim.benali@orange.fr. Can we add him as admin?\nSamia",
  (P, "Karim Benali"), (EM, "karim.benali@orange.fr"), (P, "Samia"))
# --- forms, finance, insurance, HR, medical records ------------------------------------------
r("form_hr", "Employee: Darnell Washington\nSSN: 011-01-8402\nStart date: 2026-11-02\nLocation: Atlanta, GA\nManager: Keisha Brown",
  (P, "Darnell Washington"), (SSN, "011-01-8402"), (L, "Atlanta"), (P, "Keisha Brown"))
r("form_insurance", "Claimant name: Rosa Delgado | Policy: HX-220931 | SSN 766-08-6980 | Incident: water damage, Tucson AZ",
  (P, "Rosa Delgado"), (SSN, "766-08-6980"), (L, "Tucson"))
r("finance_question", "My SSN is 846-60-3496 and the IRS letter says it doesn't match my name (Nguyen Thi Hoa). What do I do?",
  (SSN, "846-60-3496"), (P, "Nguyen Thi Hoa"))
r("form_tax", "W-4 for Gabriel Moreno, SSN 016 17 9891, filing single, two jobs.",
  (P, "Gabriel Moreno"), (SSN, "016 17 9891"))
r("hr_chat", "hey can u update payroll for jessica tran? her ssn is 672-06-5407, she got married so last name might change",
  (P, "jessica tran"), (SSN, "672-06-5407"))
r("form_medical", "Patient: Abimbola Ogunleye, F, 54\nReferring physician: Dr. Hughes\nDx: suspected Graves' disease\nInsurance ID tied to SSN 135-64-0533",
  (P, "Abimbola Ogunleye"), (P, "Hughes"), (SSN, "135-64-0533"))
r("finance_email", "Hi Mark, for the loan application I need your SSN (440-80-4687 is what I have - please confirm) and a copy of your last pay stub. - Lorraine",
  (P, "Mark"), (SSN, "440-80-4687"), (P, "Lorraine"))
r("form_school", "Student: Mateo Rivera-Santos; Parent/Guardian: Ana Santos; Parent SSN (for FAFSA): 041-47-4032; City: San Antonio",
  (P, "Mateo Rivera-Santos"), (P, "Ana Santos"), (SSN, "041-47-4032"), (L, "San Antonio"))
r("finance_question", "Is it risky that my bank asked for my full social (015-66-0009) over the phone? They said they're from Chase.",
  (SSN, "015-66-0009"))
r("legal_question", "My late father's SSN is 451-55-7275 and someone filed taxes with it. I'm his executor in Ohio. Steps?",
  (SSN, "451-55-7275"), (L, "Ohio"))
r("form_hr", "I-9 check: Name - Yusuf Abdi | SSN - 674-34-1776 | Address - 2210 Cedar Ave, Minneapolis MN",
  (P, "Yusuf Abdi"), (SSN, "674-34-1776"), (L, "Minneapolis"))
r("crm_note", "Called Mr. Thompson re: Roth IRA rollover. SSN 367-87-5942 confirmed. Wife Dolores will sign too.",
  (P, "Thompson"), (SSN, "367-87-5942"), (P, "Dolores"))
r("form_insurance", "Dependent 1: Aiyana Whitehorse, SSN 856-36-7355\nDependent 2: Kai Whitehorse, SSN 844-16-6216",
  (P, "Aiyana Whitehorse"), (SSN, "856-36-7355"), (P, "Kai Whitehorse"), (SSN, "844-16-6216"))
r("finance_chat", "pls dont judge but i gave my ssn 810-57-5907 to a guy on instagram who promised crypto gains. how bad is this",
  (SSN, "810-57-5907"))
r("form_medical", "Intake - Name: Svetlana Ivanova | Phone: +7 916 204-55-81 | SSN: 326-67-8766 | Allergies: penicillin",
  (P, "Svetlana Ivanova"), (PH, "+7 916 204-55-81"), (SSN, "326-67-8766"))
r("legal_email", "Counsel,\nPlease find attached the affidavit of Harold P. Kensington (SSN 583-13-0120), executed in Savannah.\nRegards, A. Whitfield",
  (P, "Harold P. Kensington"), (SSN, "583-13-0120"), (L, "Savannah"), (P, "A. Whitfield"))
r("hr_note", "Background check for Imani Carter returned clean. SSN on the form (419-16-2059) matches.",
  (P, "Imani Carter"), (SSN, "419-16-2059"))
r("finance_csv", "name,ssn,dept\nRoberto Aguilar,606-72-4815,Facilities\nSheila O'Donnell,412-23-8227,Finance",
  (P, "Roberto Aguilar"), (SSN, "606-72-4815"), (P, "Sheila O'Donnell"), (SSN, "412-23-8227"))
r("form_tax", "Preparer notes: client Mohammed Rahimi, SSN 027-54-1739, moved from Sacramento to Boise mid-year.",
  (P, "Mohammed Rahimi"), (SSN, "027-54-1739"), (L, "Sacramento"), (L, "Boise"))
r("finance_question", "my sister Latoya gave me her SSN 764-10-6911 to co-sign my car loan, do I need hers AND mine?",
  (P, "Latoya"), (SSN, "764-10-6911"))
r("form_hr", "Emergency contact for Brendan Fitzpatrick: Niamh Fitzpatrick (wife), 07911 204 583. SSN (US payroll): 595-30-8042.",
  (P, "Brendan Fitzpatrick"), (P, "Niamh Fitzpatrick"), (PH, "07911 204 583"), (SSN, "595-30-8042"))
r("finance_email", "Please pay the invoice to FR64 5813 2919 3564 1536 4370 248 (Atelier Roux, attn. Camille Roux). Merci!",
  (IB, "FR64 5813 2919 3564 1536 4370 248"), (P, "Camille Roux"))
r("finance_question", "Wise is asking for the recipient's IBAN: IT27L2737631672500915817731. My cousin Francesca lives in Bari. Is the format right?",
  (IB, "IT27L2737631672500915817731"), (P, "Francesca"), (L, "Bari"))
r("finance_chat", "send the 200 eur to BE03 1774 3702 5975 pls, its lieven's account",
  (IB, "BE03 1774 3702 5975"), (P, "lieven"))
r("finance_email", "Dzień dobry, proszę o przelew na PL35 6109 4416 3523 0682 1028 4781. Katarzyna Zielińska, Gdańsk",
  (IB, "PL35 6109 4416 3523 0682 1028 4781"), (P, "Katarzyna Zielińska"), (L, "Gdańsk"))
r("finance_form", "Beneficiary: Seán Ó Briain\nIBAN: IE47HYBV19790441258912\nReference: rent Dec",
  (P, "Seán Ó Briain"), (IB, "IE47HYBV19790441258912"))
r("finance_question", "Why does my Swiss IBAN CH82 2978 7098 7954 3957 5 have 21 characters? Ursula from the bank in Basel couldn't explain.",
  (IB, "CH82 2978 7098 7954 3957 5"), (P, "Ursula"), (L, "Basel"))
r("finance_email", "Hallo Felix, meine Kontodaten: AT67 0591 6114 3205 5470. Danke fürs Auslegen! Grüße aus Innsbruck, Magdalena",
  (P, "Felix"), (IB, "AT67 0591 6114 3205 5470"), (L, "Innsbruck"), (P, "Magdalena"))
r("finance_form", "Titular: Rui Manuel Tavares | IBAN PT83 7428 3781 8838 1280 6962 4 | Cidade: Coimbra",
  (P, "Rui Manuel Tavares"), (IB, "PT83 7428 3781 8838 1280 6962 4"), (L, "Coimbra"))
r("finance_chat", "Astrid: kan du swisha? annars IBAN SE59 1995 5626 4186 6904 5570\nNils: fixar ikväll",
  (P, "Astrid"), (IB, "SE59 1995 5626 4186 6904 5570"), (P, "Nils"))
r("finance_question", "I'm moving from Aarhus to Edinburgh. Should I keep my Danish account DK06 0165 9430 8879 41 open or close it?",
  (L, "Aarhus"), (L, "Edinburgh"), (IB, "DK06 0165 9430 8879 41"))
r("finance_form", "Payee: Ole Kristian Haugen, NO86 6913 8915 860, Tromsø",
  (P, "Ole Kristian Haugen"), (IB, "NO86 6913 8915 860"), (L, "Tromsø"))
r("finance_email", "Hei, the deposit for the cabin goes to FI31 6255 0070 6806 62 - Aino Virtanen. Kiitos!",
  (IB, "FI31 6255 0070 6806 62"), (P, "Aino Virtanen"))
r("finance_question", "Is CZ74 0698 6004 5124 7716 4580 a valid Czech IBAN? My landlord Mr. Procházka sent it by SMS.",
  (IB, "CZ74 0698 6004 5124 7716 4580"), (P, "Procházka"))
r("finance_email", "Dimitra, please transfer the rent to GR62 9889 0462 9006 0087 3616 071 by Friday. Thanks, Nikos (Thessaloniki)",
  (P, "Dimitra"), (IB, "GR62 9889 0462 9006 0087 3616 071"), (P, "Nikos"), (L, "Thessaloniki"))
r("finance_question", "Turkish bank wants me to write the IBAN without spaces: TR717999951890327584907933 - is that normal? Account is my aunt Zeynep's.",
  (IB, "TR717999951890327584907933"), (P, "Zeynep"))
r("finance_form", "Supplier bank details\nAccount name: Harrow & Finch Ltd\nContact: Gareth Pryce\nIBAN: GB54FBQE84706346036045",
  (P, "Gareth Pryce"), (IB, "GB54FBQE84706346036045"))
r("finance_chat", "Jonas: hier nochmal meine IBAN DE72573319109929019135\nMia: danke, überweise morgen",
  (P, "Jonas"), (IB, "DE72573319109929019135"), (P, "Mia"))
r("finance_email", "Dear Faisal, the Riyadh office's account is SA22 9579 9421 2529 5780 8904. Please quote the PO number. Best, Reem",
  (P, "Faisal"), (L, "Riyadh"), (IB, "SA22 9579 9421 2529 5780 8904"), (P, "Reem"))
r("finance_question", "Got an invoice from a freelancer in Sharjah with IBAN AE777272175382181021370. The name is Omar Khalifa Al Mansoori. Looks legit?",
  (L, "Sharjah"), (IB, "AE777272175382181021370"), (P, "Omar Khalifa Al Mansoori"))
r("finance_chat", "ok so mark van rijn's iban is NL36ZYBX6878900511 and he wants 35 for the tickets",
  (P, "mark van rijn"), (IB, "NL36ZYBX6878900511"))
# --- forum posts, meeting notes, CRM, transcripts, SMS, code, calendars, JSON, CSV -----------
r("forum_post", "Posted by tunde_a: Has anyone used the clinic on Allen Avenue in Ikeja? Dr. Bamidele treated my son and was brilliant.",
  (L, "Ikeja"), (P, "Bamidele"))
r("forum_post", "Re: visa appointment in Islamabad - my husband Zubair got his in 3 weeks. Call them at +92 51 2287 440 early morning.",
  (L, "Islamabad"), (P, "Zubair"), (PH, "+92 51 2287 440"))
r("forum_post", "Selling my old bike in Leeds, message me or email halima.begum92@gmail.com. Pics at https://imgur.com/a/Xb7Qz2k",
  (L, "Leeds"), (EM, "halima.begum92@gmail.com"), (URL, "https://imgur.com/a/Xb7Qz2k"))
r("forum_post", "Quick PSA: my router kept dropping, turned out 192.168.0.105 was being used by both my printer and Lars's laptop lol",
  (IP, "192.168.0.105"), (P, "Lars"))
r("forum_post", "Thanks to Mariam Tadesse for the great write-up on hiking around Lalibela! Photos here: https://mariamwalks.blog/lalibela-2026",
  (P, "Mariam Tadesse"), (L, "Lalibela"), (URL, "https://mariamwalks.blog/lalibela-2026"))
r("meeting_notes", "Standup 3 Dec\n- Ravi: finished the billing migration\n- Sunita: blocked on API keys from vendor\n- Owen: OOO Thursday (dentist)\n- Next: demo to Carolina on Monday",
  (P, "Ravi"), (P, "Sunita"), (P, "Owen"), (P, "Carolina"))
r("meeting_notes", "Attendees: Hiroshi Sato, Aylin Demir, Bogdan Lazăr, Fatima Zahra Bennani. Action: Aylin to share the Casablanca rollout plan.",
  (P, "Hiroshi Sato"), (P, "Aylin Demir"), (P, "Bogdan Lazăr"), (P, "Fatima Zahra Bennani"), (P, "Aylin", 1), (L, "Casablanca"))
r("meeting_notes", "Board call notes (Ewa): Pavel proposes opening an office in Wrocław; Greta asks for a cost estimate before Q2.",
  (P, "Ewa"), (P, "Pavel"), (L, "Wrocław"), (P, "Greta"))
r("crm_note", "Spoke with Cheng Rui (procurement, Shenzhen). Wants quote by Friday. Mobile +86 138 2749 1065, email cheng.rui@hexmetal.cn.",
  (P, "Cheng Rui"), (L, "Shenzhen"), (PH, "+86 138 2749 1065"), (EM, "cheng.rui@hexmetal.cn"))
r("crm_note", "Lead: Valentina Rossi-Bianchi (Milan). Met at expo. Interested in 50 seats. Follow up via LinkedIn: https://www.linkedin.com/in/valentina-rossi-bianchi",
  (P, "Valentina Rossi-Bianchi"), (L, "Milan"), (URL, "https://www.linkedin.com/in/valentina-rossi-bianchi"))
r("crm_note", "Account owner changed from Brad to Yolanda. Customer contact remains Mr. Oyelaran-Balogun, +234 803 551 2094.",
  (P, "Brad"), (P, "Yolanda"), (P, "Oyelaran-Balogun"), (PH, "+234 803 551 2094"))
r("crm_note", "called dina at 4pm, no answer. left vm on 0412 558 301. try again tmrw - sam",
  (P, "dina"), (PH, "0412 558 301"), (P, "sam"))
r("chat_transcript", "Amara: are we still on for Saturday?\nTobi: yep, meet at Lekki at 2\nAmara: cool, bringing Ife too",
  (P, "Amara", 0), (P, "Tobi"), (L, "Lekki"), (P, "Amara", 1), (P, "Ife"))
r("chat_transcript", "[Priya] did anyone get the wifi password for the Bengaluru office?\n[Arun] it's on the wiki\n[Priya] thanks Arun!",
  (P, "Priya", 0), (L, "Bengaluru"), (P, "Arun", 0), (P, "Priya", 1), (P, "Arun", 1))
r("chat_transcript", "Dong-hyun: I'll be late, traffic in Gangnam is insane\nSoo-ah: no worries, Jae is also late",
  (P, "Dong-hyun"), (L, "Gangnam"), (P, "Soo-ah"), (P, "Jae"))
r("sms", "hey its marisol, new number 555-214-8890. tell abuela i'll call sunday",
  (P, "marisol"), (PH, "555-214-8890"))
r("sms", "Hi Grace, this is Pastor Emmanuel Asante. Service moved to 10am. Call me on 024 331 7789 if any questions.",
  (P, "Grace"), (P, "Emmanuel Asante"), (PH, "024 331 7789"))
r("sms", "omw to the airport, tell fatou i land in dakar at 9",
  (P, "fatou"), (L, "dakar"))
r("sms", "Reminder: your appointment with Dr Siddiqui is tomorrow 09:30. Reply C to cancel.",
  (P, "Siddiqui"))
r("sms", "yo bilal u still got my charger?? need it b4 the flight to istanbul",
  (P, "bilal"), (L, "istanbul"))
r("code_comment", "# TODO(Ksenia Morozova): remove this hack once the Kyiv data center is migrated",
  (P, "Ksenia Morozova"), (L, "Kyiv"))
r("code_comment", "// Author: Tiago Fernandes <tiago.fernandes@devnull.pt>\n// Retries 3 times then gives up.",
  (P, "Tiago Fernandes"), (EM, "tiago.fernandes@devnull.pt"))
r("code_comment", "/* Hard-coded for testing, DO NOT SHIP: db host 10.0.12.7, test card 5551436620031896 (from Ahmad) */",
  (IP, "10.0.12.7"), (CC, "5551436620031896"), (P, "Ahmad"))
r("code_comment", "# written by Ngo Bao Chau, reviewed by Ilse Janssens - see https://git.internal.example.com/infra/pr/4421",
  (P, "Ngo Bao Chau"), (P, "Ilse Janssens"), (URL, "https://git.internal.example.com/infra/pr/4421"))
r("calendar", "Fri 10:00-10:30 1:1 with Adaeze Nwosu (Zoom: https://zoom.us/j/93817264501)",
  (P, "Adaeze Nwosu"), (URL, "https://zoom.us/j/93817264501"))
r("calendar", "Dentist - Dr. Kowalczyk, ul. Piotrkowska 44, Łódź. Tel 601 234 577",
  (P, "Kowalczyk"), (L, "Łódź"), (PH, "601 234 577"))
r("calendar", "Lunch w/ Rangi & Mereana @ the wharf, Wellington",
  (P, "Rangi"), (P, "Mereana"), (L, "Wellington"))
r("json_prompt", 'Extract the fields from this record: {"name": "Sipho Mahlangu", "email": "sipho.m@ubuntu-mail.co.za", "city": "Pretoria", "phone": "+27 82 447 1930"}',
  (P, "Sipho Mahlangu"), (EM, "sipho.m@ubuntu-mail.co.za"), (L, "Pretoria"), (PH, "+27 82 447 1930"))
r("json_prompt", 'Why does this fail validation? {"user": {"first": "Kateryna", "last": "Bondarenko"}, "ip": "2a02:2378:1042::7d", "card": "2398557140553020"}',
  (P, "Kateryna"), (P, "Bondarenko"), (IP, "2a02:2378:1042::7d"), (CC, "2398557140553020"))
r("json_prompt", 'Summarise: [{"author":"Ayşe Kaya","comment":"great"},{"author":"Mehmet Öztürk","comment":"slow delivery to Ankara"}]',
  (P, "Ayşe Kaya"), (P, "Mehmet Öztürk"), (L, "Ankara"))
r("csv_prompt", "Clean this CSV:\nid,name,email\n1,Andile Zulu,andile.z@proton.me\n2,Kaja Novak,kaja.novak@siol.net\n3,Rhys Morgan,rhys@cardiffbikes.co.uk",
  (P, "Andile Zulu"), (EM, "andile.z@proton.me"), (P, "Kaja Novak"), (EM, "kaja.novak@siol.net"), (P, "Rhys Morgan"), (EM, "rhys@cardiffbikes.co.uk"))
r("csv_prompt", "host,owner,last_seen\n10.20.30.41,hemant,2026-11-30\n10.20.30.42,marta,2026-12-01",
  (IP, "10.20.30.41"), (P, "hemant"), (IP, "10.20.30.42"), (P, "marta"))
r("bullet_list", "Guests for Saturday:\n- Akosua + kids\n- Yaw Mensah\n- the Lindqvist family\n- Dev (maybe)",
  (P, "Akosua"), (P, "Yaw Mensah"), (P, "Lindqvist"), (P, "Dev"))
r("bullet_list", "Referees:\n* Prof. Gwen Hughes-Jones, Bangor University\n* Dr. Anwar Chowdhury, Dhaka\n* Ms. Lerato Khumalo",
  (P, "Gwen Hughes-Jones"), (P, "Anwar Chowdhury"), (L, "Dhaka"), (P, "Lerato Khumalo"))
# --- more mixed rows: cards, IPs, URLs, phones, e-mails in context ----------------------------
r("support_email", "Order 77120 was paid with Visa 4589 3861 7619 9085 but shows unpaid. Please check. Regards, Hollis Grant, Nashville",
  (CC, "4589 3861 7619 9085"), (P, "Hollis Grant"), (L, "Nashville"))
r("finance_question", "Someone used my Mastercard 5137-2873-1923-5634 in Singapore last night and I'm in Perth. Who do I call first?",
  (CC, "5137-2873-1923-5634"), (L, "Singapore"), (L, "Perth"))
r("support_chat", "user: can you store my card for next time? 4598987310576036 exp 09/28\nassistant: I can't store card numbers, Ingrid - please use the secure form.",
  (CC, "4598987310576036"), (P, "Ingrid"))
r("finance_question", "My kid Noah put my Amex 370810458973223 into a game. Can I dispute the charges?",
  (P, "Noah"), (CC, "370810458973223"))
r("support_ticket", "Payment failed for Ayodele Bankole. Card: 5388 2266 4336 8709. Billing city: Abuja. Retry scheduled.",
  (P, "Ayodele Bankole"), (CC, "5388 2266 4336 8709"), (L, "Abuja"))
r("sms", "mum pls dont text me the card number again!! 4218 1953 3699 4734 is literally on my screen now",
  (CC, "4218 1953 3699 4734"))
r("finance_email", "Hi Paulo, for the hotel deposit use the company Mastercard 2720 2980 7887 6930. Keep the receipt. - Renata",
  (P, "Paulo"), (CC, "2720 2980 7887 6930"), (P, "Renata"))
r("support_ticket", "Customer Hamza Malik (Karachi) reports card 2540798604063695 charged in USD instead of PKR.",
  (P, "Hamza Malik"), (L, "Karachi"), (CC, "2540798604063695"))
r("finance_form", "Cardholder: Wilhelmina Thorsdottir\nCard number: 3769 894647 73696\nBilling: Reykjavík, Iceland",
  (P, "Wilhelmina Thorsdottir"), (CC, "3769 894647 73696"), (L, "Reykjavík"), (L, "Iceland"))
r("support_email", "The Discover card 6526 9250 5633 3891 on my account belongs to my late husband, Leroy Jenkins. Please remove it. - Bernice",
  (CC, "6526 9250 5633 3891"), (P, "Leroy Jenkins"), (P, "Bernice"))
r("finance_chat", "quick q - is 6448095305527936 a valid discover number? my client diego gave it over whatsapp",
  (CC, "6448095305527936"), (P, "diego"))
r("support_chat", "Customer: Card is 3435 186880 07662, name Tobias Lindgren\nAgent: Thank you Mr Lindgren, processing now.",
  (CC, "3435 186880 07662"), (P, "Tobias Lindgren"), (P, "Lindgren", 1))
r("finance_question", "The hotel site charged my Discover 6011 5751 7250 4040 twice for the stay in Cusco. Their agent Rocío said wait 10 days. Really?",
  (CC, "6011 5751 7250 4040"), (L, "Cusco"), (P, "Rocío"))
r("support_email", "hi, cancelling membership for my dad Emeka Eze. card on file 4451169171068082. thank you, Chiamaka",
  (P, "Emeka Eze"), (CC, "4451169171068082"), (P, "Chiamaka"))
r("support_ticket", "Card 5561 6835 2845 3452 flagged: 3 attempts from 185.220.101.33 within 1 min. Owner: Petra Horvat (Zagreb).",
  (CC, "5561 6835 2845 3452"), (IP, "185.220.101.33"), (P, "Petra Horvat"), (L, "Zagreb"))
r("it_ticket", "VPN drops for Julien Marchand every hour. Client IP 100.64.12.200, gateway 100.64.0.1. Started after the Montréal office move.",
  (P, "Julien Marchand"), (IP, "100.64.12.200"), (IP, "100.64.0.1"), (L, "Montréal"))
r("it_ticket", "Please whitelist 2001:db8:4f2e:11::25 for Bongani's build agent. Thanks.",
  (IP, "2001:db8:4f2e:11::25"), (P, "Bongani"))
r("it_question", "why can't I ping fe80::1ff:fe23:4567:890a from my laptop? same switch. (asking for Kofi, he's new)",
  (IP, "fe80::1ff:fe23:4567:890a"), (P, "Kofi"))
r("it_log", "2026-12-04T08:15:22Z login ok user=u48213 src=49.207.55.14 city=Chennai",
  (IP, "49.207.55.14"), (L, "Chennai"))
r("it_log", "WARN ssh brute force from 91.134.22.7 and 2607:f8b0:4005:80a::200e blocked by fail2ban",
  (IP, "91.134.22.7"), (IP, "2607:f8b0:4005:80a::200e"))
r("it_question", "Our NAS is at 192.168.88.20 but Henrik says it should be 192.168.88.2. Which do I put in the config?",
  (IP, "192.168.88.20"), (P, "Henrik"), (IP, "192.168.88.2"))
r("it_ticket", "From: Xu Ming\nSubject: can't reach printer\nThe printer at 10.1.4.250 shows offline. My PC is 10.1.4.77.",
  (P, "Xu Ming"), (IP, "10.1.4.250"), (IP, "10.1.4.77"))
r("web_prompt", "Summarise this page for me: https://www.citycouncil-dunedin.govt.nz/notices/road-closures-december and list the streets.",
  (URL, "https://www.citycouncil-dunedin.govt.nz/notices/road-closures-december"))
r("web_prompt", "My portfolio is at www.sanjaykrishnan.design - can you critique the homepage copy? I'm Sanjay, a UX designer in Kochi.",
  (URL, "www.sanjaykrishnan.design"), (P, "Sanjay"), (L, "Kochi"))
r("web_prompt", "Fix the broken link in my email signature: http://kemi-bakes.com/order?ref=sig (Kemi Adeleke, Ibadan)",
  (URL, "http://kemi-bakes.com/order?ref=sig"), (P, "Kemi Adeleke"), (L, "Ibadan"))
r("forum_post", "I documented the whole Trans-Siberian trip here: https://blog.olegtravel.ru/2026/10/moscow-to-vladivostok - Moscow to Vladivostok in 8 days!",
  (URL, "https://blog.olegtravel.ru/2026/10/moscow-to-vladivostok"), (L, "Moscow"), (L, "Vladivostok"))
r("support_email", "Please reset the password link for my account; the one sent was https://app.ledgerly.io/reset?token=8f2a91c&email=ruth.abebe@ledgerly.io and it expired. Ruth",
  (URL, "https://app.ledgerly.io/reset?token=8f2a91c&email=ruth.abebe@ledgerly.io"), (P, "Ruth"))
r("school_question", "The teacher posted homework at https://classroom.google.com/c/NjU4MTIz but my daughter Amani can't open it.",
  (URL, "https://classroom.google.com/c/NjU4MTIz"), (P, "Amani"))
r("crm_note", "Dmitri Volkov asked us to use his personal site https://volkov.photo for credits instead of the agency one.",
  (P, "Dmitri Volkov"), (URL, "https://volkov.photo"))
r("web_prompt", "compare these two listings for me: https://rentals.example.co.uk/leeds/flat-2231 and https://rentals.example.co.uk/york/flat-9010",
  (URL, "https://rentals.example.co.uk/leeds/flat-2231"), (URL, "https://rentals.example.co.uk/york/flat-9010"))
r("meeting_notes", "Recording: https://drive.google.com/file/d/1aB2cD3eF4gH/view - Notes by Tamar Levi. Follow-up with Yosef on budget.",
  (URL, "https://drive.google.com/file/d/1aB2cD3eF4gH/view"), (P, "Tamar Levi"), (P, "Yosef"))
r("travel_question", "My Airbnb host Kalani sent this link for check-in: https://checkin.hostpal.com/s/HNL-44821. Safe to open? We're staying in Honolulu.",
  (P, "Kalani"), (URL, "https://checkin.hostpal.com/s/HNL-44821"), (L, "Honolulu"))
r("support_email", "Hi, I'm Rafael from Recife. Your tracking link ftp://files.envio.com.br/labels/RF-2281.pdf doesn't open.",
  (P, "Rafael"), (L, "Recife"), (URL, "ftp://files.envio.com.br/labels/RF-2281.pdf"))
r("web_prompt", "Read https://en.wikipedia.org/wiki/Timbuktu and tell me if it's worth visiting Mali now.",
  (URL, "https://en.wikipedia.org/wiki/Timbuktu"), (L, "Mali"))
r("calendar", "Webinar with Ananya Bose - join via https://meet.jit.si/AnanyaBose-QA-Dec",
  (P, "Ananya Bose"), (URL, "https://meet.jit.si/AnanyaBose-QA-Dec"))
r("forum_post", "Recipe credit goes to my nonna, Concetta Lombardo from Palermo. Full version: http://nonnaconcetta.it/caponata",
  (P, "Concetta Lombardo"), (L, "Palermo"), (URL, "http://nonnaconcetta.it/caponata"))
r("phone_prompt", "Format these numbers consistently: +44 20 7946 0321, 020 7946 0958, +1 (415) 555-0132",
  (PH, "+44 20 7946 0321"), (PH, "020 7946 0958"), (PH, "+1 (415) 555-0132"))
r("sms", "Taxi booked for Mr Hussain, driver will call from +971 50 338 2214",
  (P, "Hussain"), (PH, "+971 50 338 2214"))
r("support_chat", "Agent: Best number to reach you?\nCustomer: (312) 555-7788, ask for Dolores or her son Manny",
  (PH, "(312) 555-7788"), (P, "Dolores"), (P, "Manny"))
r("crm_note", "Ximena Castillo (Monterrey) - WhatsApp +52 81 1804 3377, prefers Spanish.",
  (P, "Ximena Castillo"), (L, "Monterrey"), (PH, "+52 81 1804 3377"))
r("crm_note", "Nurlan Abenov asked for a callback at +7 701 455 2290 (Almaty time).",
  (P, "Nurlan Abenov"), (PH, "+7 701 455 2290"), (L, "Almaty"))
r("travel_question", "Our guide in Manila is Jun-Jun Bautista (+63 917 552 0148). Is it normal to pay him in cash?",
  (L, "Manila"), (P, "Jun-Jun Bautista"), (PH, "+63 917 552 0148"))
r("travel_question", "Hotel in Bandung gave me the wrong number for the driver: 0812-2456-7781. Should it have +62?",
  (L, "Bandung"), (PH, "0812-2456-7781"))
r("support_email", "Please call me back on +55 11 98765-4421. Obrigado, Thiago Nascimento",
  (PH, "+55 11 98765-4421"), (P, "Thiago Nascimento"))
r("support_email", "Mobil numaram değişti: +90 532 418 77 06. Saygılar, Elif Şahin",
  (PH, "+90 532 418 77 06"), (P, "Elif Şahin"))
r("hr_note", "New address for Jana Procházková: Olomouc. Phone stays +420 737 219 004.",
  (P, "Jana Procházková"), (L, "Olomouc"), (PH, "+420 737 219 004"))
r("sms", "Hi Theo it's Ilias, landed in Athens, call me on +30 694 771 2280 when ur free",
  (P, "Theo"), (P, "Ilias"), (L, "Athens"), (PH, "+30 694 771 2280"))
r("crm_note", "Spoke to Femke Bakker: call her at +31 6 41827733 after 3pm. Lives near Haarlem.",
  (P, "Femke Bakker"), (PH, "+31 6 41827733"), (L, "Haarlem"))
r("sms", "Olek here - my Polish number is +48 601 884 219, the UK one is off",
  (P, "Olek"), (PH, "+48 601 884 219"), (L, "UK"))
r("support_email", "Please contact my assistant, Hye-jin Choi, at +82 2 3141 7788 or hyejin.choi@seoulsound.kr.",
  (P, "Hye-jin Choi"), (PH, "+82 2 3141 7788"), (EM, "hyejin.choi@seoulsound.kr"))
r("support_email", "Sent from my phone. -- Andriy Melnyk, +380 67 412 3385, Kharkiv",
  (P, "Andriy Melnyk"), (PH, "+380 67 412 3385"), (L, "Kharkiv"))
# --- more people-centred rows: initials, possessives, lower case, nicknames, sign-offs -------
r("legal_email", "Dear Mr. J. Hargreaves,\nFurther to our call, Ms. R. Patel will represent your tenant at the Bristol hearing.\nYours sincerely,\nT. Osei",
  (P, "J. Hargreaves"), (P, "R. Patel"), (L, "Bristol"), (P, "T. Osei"))
r("assistant_personal", "Maria's sister keeps borrowing her car without asking. Maria lives in Valencia, the sister in Madrid. How should Maria handle it?",
  (P, "Maria", 0), (L, "Valencia"), (L, "Madrid"), (P, "Maria", 1), (P, "Maria", 2))
r("assistant_personal", "Is it rude that Kwabena's parents didn't invite me to the naming ceremony?",
  (P, "Kwabena"))
r("chat_transcript", "lol nkechi said she'll bring jollof\nok but is ebuka coming\nidk ask tolu",
  (P, "nkechi"), (P, "ebuka"), (P, "tolu"))
r("sms", "wer r u?? me n aisha r outside the cinema",
  (P, "aisha"))
r("assistant_personal", "My friend Bobby (real name Roberto Maldonado) is feeling down after his layoff. How can I support him?",
  (P, "Bobby"), (P, "Roberto Maldonado"))
r("assistant_school", "We adopted a rescue dog and my kids want to name him after their great-grandpa Józef. Is that weird?",
  (P, "Józef"))
r("forum_post", "Shout-out to Nana Ama Serwaa at the mall branch in Accra, she sorted my SIM swap in 5 minutes.",
  (P, "Nana Ama Serwaa"), (L, "Accra"))
r("assistant_hr", "Draft a reference for Hoang Duc Anh, who interned with us in Da Nang for six months.",
  (P, "Hoang Duc Anh"), (L, "Da Nang"))
r("assistant_medical", "After the surgery Dr. van Leeuwen told my wife Sanne to avoid lifting for 6 weeks. Does that include our toddler?",
  (P, "van Leeuwen"), (P, "Sanne"))
r("assistant_personal", "Write a thank-you card to Mr. and Mrs. Al-Masri, who looked after our cat while we were in Amman.",
  (P, "Al-Masri"), (L, "Amman"))
r("assistant_legal", "Can my employer in Frankfurt fire me while I'm on sick leave? My boss, Herr Dr. Brandt, hinted at it.",
  (L, "Frankfurt"), (P, "Brandt"))
r("assistant_personal", "How do I tell Dan I don't want to be his roommate next year without ruining our friendship?",
  (P, "Dan"))
r("meeting_notes", "Parent-teacher meeting: Ms Tui Faleolo says Sione is doing well in maths but needs help with reading.",
  (P, "Tui Faleolo"), (P, "Sione"))
r("assistant_personal", "My grandfather, Rev. Abioye Oladipo-Cole, wrote hymns in Yoruba. How can I get them published?",
  (P, "Abioye Oladipo-Cole"))
r("assistant_personal", "is it ok to call my girlfriend's dad by his first name? his name is raimundo and he's pretty formal",
  (P, "raimundo"))
r("forum_post", "Does anyone know a good tailor in Lahore? My cousin Zainab's wedding is in January.",
  (L, "Lahore"), (P, "Zainab"))
r("assistant_travel", "I'm meeting Hamza and Noor at Sultanahmet, then we go to Kadıköy by ferry. How long does it take?",
  (P, "Hamza"), (P, "Noor"), (L, "Sultanahmet"), (L, "Kadıköy"))
r("assistant_personal", "Can you write a funny bio for my D&D character? He's based on my friend Magnus Eriksson, who's a dentist in Uppsala.",
  (P, "Magnus Eriksson"), (L, "Uppsala"))
r("assistant_personal", "My daughter's piano teacher, Mrs. Nakamura-Reyes, is moving to Kyoto. What's a thoughtful goodbye gift?",
  (P, "Nakamura-Reyes"), (L, "Kyoto"))
r("assistant_school", "Rewrite my son's essay intro. He's Ahmed, 14, and it's about his grandpa who fled Aleppo.",
  (P, "Ahmed"), (L, "Aleppo"))
r("support_email", "Hi Team,\n\nPlease see below.\n\n---------- Forwarded message ---------\nFrom: Parisa Hosseini <parisa.h@tehranart.ir>\nHi Shahram, the frames are ready.\n\nKind regards,\nLeila",
  (P, "Parisa Hosseini"), (EM, "parisa.h@tehranart.ir"), (P, "Shahram"), (P, "Leila"))
r("chat_transcript", "Teacher: Who's presenting first?\nAnanya: Me and Rohan!\nTeacher: Great, go ahead Ananya.",
  (P, "Ananya", 0), (P, "Rohan"), (P, "Ananya", 1))
r("assistant_personal", "I want to name my bakery after my grandmother Fatimah binti Abdullah. Is that a good idea in Kuala Lumpur?",
  (P, "Fatimah binti Abdullah"), (L, "Kuala Lumpur"))
r("assistant_personal", "Help me answer Lukáš, he asked if I'm free to visit Bratislava over Christmas.",
  (P, "Lukáš"), (L, "Bratislava"))
r("assistant_travel", "Is Galway or Killarney better for a weekend? My aunt Bríd says Galway but she's biased.",
  (L, "Galway", 0), (L, "Killarney"), (P, "Bríd"), (L, "Galway", 1))
r("assistant_personal", "My colleague Tariq's wife just had twins. What's an appropriate gift from the team?",
  (P, "Tariq"))
r("chat_transcript", "<tomas> who broke the build\n<anja> wasnt me\n<tomas> git blame says Anja Schulz lol",
  (P, "tomas", 0), (P, "anja"), (P, "tomas", 1), (P, "Anja Schulz"))
r("assistant_personal", "Marguerite, Étienne and I are hiking the GR20 in Corsica. What should we pack?",
  (P, "Marguerite"), (P, "Étienne"), (L, "Corsica"))
r("crm_note", "Follow-up: Ms. Oyinkansola wants a demo for her team in Port Harcourt, 5 users. Budget approved by her CFO, Mr. Danjuma.",
  (P, "Oyinkansola"), (L, "Port Harcourt"), (P, "Danjuma"))
r("assistant_legal", "Can the school in Cardiff refuse to let my daughter Ffion wear her hijab in PE?",
  (L, "Cardiff"), (P, "Ffion"))
r("assistant_personal", "What's a good Persian name for a girl? We like Nasrin, after my husband's mother.",
  (P, "Nasrin"))
r("assistant_personal", "Plan a weekend in Lisbon for me and my partner Inês. She hates crowds.",
  (L, "Lisbon"), (P, "Inês"))
r("assistant_medical", "My son Kaito was bitten by a dog in Fukuoka. The clinic gave him a tetanus shot. Does he need rabies shots too?",
  (P, "Kaito"), (L, "Fukuoka"))
r("sms", "dinner at rashid's tonight? he said 8",
  (P, "rashid"))
r("assistant_personal", "I keep mixing up the twins at work: Paulina and Paula Kowalski. Any memory tricks?",
  (P, "Paulina"), (P, "Paula Kowalski"))
r("forum_post", "Honestly the best physio in Auckland is Wiremu at the clinic in Ponsonby. Fixed my knee in 4 sessions.",
  (L, "Auckland"), (P, "Wiremu"), (L, "Ponsonby"))
r("assistant_personal", "Write a short poem for my wife Adunni for our 10th anniversary. We met in London.",
  (P, "Adunni"), (L, "London"))
r("assistant_hr", "Our CEO, Sebastián Iturralde, wants to move the team from Quito to Bogotá. How do I announce it?",
  (P, "Sebastián Iturralde"), (L, "Quito"), (L, "Bogotá"))
r("chat_transcript", "mum: did u call grandma rose\nme: not yet\nmum: she's waiting!!",
  (P, "rose"))
r("assistant_personal", "Should I invite Dagny to the party? She and Sølvi had a falling out last year.",
  (P, "Dagny"), (P, "Sølvi"))
r("forum_post", "Lost dog near Stellenbosch! Answers to Bruno. Owner: Marike du Plessis, 082 517 3390.",
  (L, "Stellenbosch"), (P, "Marike du Plessis"), (PH, "082 517 3390"))
r("assistant_travel", "Does Mehdi need a Schengen visa to visit us in Brussels? He has a Moroccan passport.",
  (P, "Mehdi"), (L, "Brussels"))
r("assistant_personal", "i think my roommate kieran is reading my diary, how do i confront him",
  (P, "kieran"))
r("meeting_notes", "Retro: went well - Chinonso's tests; improve - handover between Beata and Lucas; action - Lucas to own the runbook.",
  (P, "Chinonso"), (P, "Beata"), (P, "Lucas", 0), (P, "Lucas", 1))
# --- extra rows: e-mail heavy, sloppy chat ---------------------------------------------------
r("support_email", "Please cc my wife on all letters: adaora.nnamdi@yahoo.com. My own is c.nnamdi@nnamdi-law.ng. Thanks, Chukwudi Nnamdi",
  (EM, "adaora.nnamdi@yahoo.com"), (EM, "c.nnamdi@nnamdi-law.ng"), (P, "Chukwudi Nnamdi"))
r("hr_email", "Hi Gunnhild, the candidate's e-mail is lars.oyvind.berg@fastmail.com - can you send the offer today? /Sverre",
  (P, "Gunnhild"), (EM, "lars.oyvind.berg@fastmail.com"), (P, "Sverre"))
r("school_email", "Dear parents, questions about the Year 6 trip go to Mrs Baptiste (m.baptiste@stcolumbas.sch.uk). Kind regards, Mr O'Neill",
  (P, "Baptiste"), (EM, "m.baptiste@stcolumbas.sch.uk"), (P, "O'Neill"))
r("sms", "sry wrong email, use pablo.r.ibarra@icloud.com not the work one",
  (EM, "pablo.r.ibarra@icloud.com"))
r("assistant_personal", "Write a polite follow-up to hiring@greenleaf-studio.com. I interviewed with Chiara Esposito two weeks ago and heard nothing.",
  (EM, "hiring@greenleaf-studio.com"), (P, "Chiara Esposito"))
r("crm_note", "Bounce: dwayne.fraser@kingstonfreight.jm no longer valid. New contact per receptionist: Shanice, shanice.b@kingstonfreight.jm. Office still in Kingston.",
  (EM, "dwayne.fraser@kingstonfreight.jm"), (P, "Shanice"), (EM, "shanice.b@kingstonfreight.jm"), (L, "Kingston"))
r("forum_post", "If anyone wants the spreadsheet, email me at quang.huy.le@protonmail.com - it covers all the trails around Sa Pa.",
  (EM, "quang.huy.le@protonmail.com"), (L, "Sa Pa"))
r("it_ticket", "Mailbox full for Rosalind Achterberg (r.achterberg@deltaport.nl). Her machine: 10.44.2.19. Please archive 2023.",
  (P, "Rosalind Achterberg"), (EM, "r.achterberg@deltaport.nl"), (IP, "10.44.2.19"))
r("chat_transcript", "hana: did u send it to yusuke\nme: ya to yusuke.m@gmail.com\nhana: ok cool",
  (P, "hana", 0), (P, "yusuke", 0), (EM, "yusuke.m@gmail.com"), (P, "hana", 1))
r("sms", "its tanvi, locked out of the flat, can u call the landlord mr desai pls",
  (P, "tanvi"), (P, "desai"))
r("chat_transcript", "oscar: who's driving to porto alegre\nbea: not me lol, ask joão",
  (P, "oscar"), (L, "porto alegre"), (P, "bea"), (P, "joão"))
r("sms", "tell kofi and esi the bus leaves cape coast at 6 not 7",
  (P, "kofi"), (P, "esi"), (L, "cape coast"))
r("assistant_personal", "my husband ibrahim and i cant agree on a name for the baby, he wants khadija i want amira. help",
  (P, "ibrahim"), (P, "khadija"), (P, "amira"))
r("it_log", "sshd[2231]: Accepted publickey for deploy from 2001:db8:cafe::17 port 52144",
  (IP, "2001:db8:cafe::17"))
r("support_email", "Hi, I'm writing on behalf of my mother, Mrs Sadia Karim, in Chittagong. Her login email is sadia.karim1957@gmail.com. - Rumana",
  (P, "Sadia Karim"), (L, "Chittagong"), (EM, "sadia.karim1957@gmail.com"), (P, "Rumana"))
# --- negatives: look-alikes, no PII ----------------------------------------------------------
r("negative_shopping", "Is the Dyson V15 worth it over the Shark Stratos, or should I just get a cheap Bissell?")
r("negative_medical", "What's the difference between Parkinson's disease and essential tremor?")
r("negative_medical", "My doctor mentioned Hashimoto's thyroiditis. Is it the same as hypothyroidism?")
r("negative_medical", "Can I take ibuprofen with Tylenol, or is that too much for a headache?")
r("negative_medical", "The pharmacist swapped my Lipitor for atorvastatin 20 mg. Is the generic really identical?")
r("negative_math", "Explain Bayes' theorem with a simple medical test example, then do the same for the Pythagorean theorem.")
r("negative_code", "Why does Dijkstra's algorithm fail with negative edge weights but Bellman-Ford doesn't?")
r("negative_code", "How do I configure a Jenkins pipeline to run pytest and publish the coverage report?")
r("negative_code", "Upgrading from Django 4.2 to 5.1 broke my migrations. Any known issues?")
r("negative_code", "Bump version 2.10.3.1 to 2.11.0.0 in setup.cfg and regenerate the lock file.")
r("negative_code", "Is Julia faster than Python for Monte Carlo simulations, or should I stick with NumPy?")
r("negative_code", "What does 'Segmentation fault (core dumped)' mean in my Rust FFI call? Exit code 139.")
r("negative_code", "# FIXME: Kalman filter diverges when dt > 0.5; see issue 1182")
r("negative_code", "Why does Linux report 15.6 GiB when I bought a 16 GB stick?")
r("negative_shopping", "Order #4471-2290-118 was delivered but the box only had the Ninja air fryer, not the Le Creuset pan.")
r("negative_shopping", "Total came to $1,249.99 for the MacBook Air plus AppleCare. Is that a good deal for Black Friday?")
r("negative_shopping", "The Tesla Model Y vs the Ford Mustang Mach-E: which has better range in winter?")
r("negative_shopping", "Does the Gillette Fusion blade fit the Schick Hydro handle?")
r("negative_shopping", "My Ben & Jerry's order came melted. Tracking ref 1Z 999 AA1 01 2345 6784.")
r("negative_food", "Recipe asks for Worcestershire sauce and Tabasco - can I swap in soy sauce?")
r("negative_food", "How long does a McDonald's McFlurry machine actually stay broken? Asking for science.")
r("negative_books", "Summarise Pride and Prejudice in five bullet points for a 12-year-old.")
r("negative_books", "Is The Great Gatsby a critique of the American Dream or a celebration of it?")
r("negative_film", "Rank the Godfather films and explain why Part III gets so much hate.")
r("negative_film", "Which is scarier, Alien or The Thing? Answer in one paragraph.")
r("negative_sports", "Who has the better backcourt this season, the Lakers or the Celtics? Keep it to stats, not hype.")
r("negative_sports", "Final score 3-1, attendance 52,301, kickoff 19:45. Write a match report template without names.")
r("negative_legal", "What does Murphy's law have to do with software testing?")
r("negative_legal", "Explain Miranda rights in plain English for a high-school civics class.")
r("negative_legal", "Is the Sherman Act still relevant to big tech antitrust cases?")
r("negative_science", "Why is Avogadro's number exactly 6.02214076e23 now?")
r("negative_science", "Explain the Doppler effect and Hubble's law together in one example.")
r("negative_science", "What's the difference between a Fahrenheit and a Kelvin reading of 300?")
r("negative_finance", "My Roth IRA returned 7.4% this year. The fee is 0.03%. Should I rebalance?")
r("negative_finance", "Invoice INV-2026-00931 for 4,500.00 EUR is due on 2026-12-31. Draft a polite reminder.")
r("negative_finance", "Is a Morgan Stanley wealth account worth the fees compared with a Vanguard index fund?")
r("negative_finance", "Account type: savings. Interest: 3.25% APY. Minimum: $500. Is this competitive?")
r("negative_support", "The app crashes on version 7.4.12 (build 20261201). Reinstalling didn't help.")
r("negative_support", "Error 0x80070005 when installing the Windows update KB5034441. What now?")
r("negative_support", "My Nintendo Switch shows error 2123-1502 after the last patch.")
r("negative_support", "Please ship the replacement part (SKU 55-1290-7713) with next-day delivery.")
r("negative_support", "The Bosch dishwasher shows E24. The manual says check the drain hose. Did that, still E24.")
r("negative_hr", "Draft a job ad for a Senior Data Engineer: Python, Airflow, Spark, dbt. Hybrid, 3 days in office.")
r("negative_hr", "What is a reasonable notice period for a mid-level engineer under a standard contract?")
r("negative_school", "Explain the Krebs cycle like I'm in year 10 and have a test on Friday.")
r("negative_school", "Help me memorise Newton's three laws with a mnemonic.")
r("negative_school", "Write a quiz on the Fibonacci sequence with answers.")
r("negative_travel", "What should I pack for a two-week hiking trip in early spring with temperatures between 2 and 15 degrees?")
r("negative_travel", "Is a Hilton Honors Gold status worth chasing if I travel 12 nights a year?")
r("negative_travel", "Flight BA 283 shows 'gate closed' but it's only 14:05. Is that normal 40 minutes before departure?")
r("negative_insurance", "Policy HX-99812 excludes flood damage. Does that include a burst pipe?")
r("negative_insurance", "What's a Cadillac health plan and why do people say it'll be taxed?")
r("negative_chat", "lol the new Marvel movie was mid, the post-credit scene was the best part")
r("negative_chat", "ok so the Big Mac index says our currency is undervalued?? explain pls")
r("negative_sms", "ur package from amazon is out for delivery, code 4471 at the locker")
r("negative_sms", "meeting moved to 3pm, bring the Q4 deck")
r("negative_form", "Product: Philips Hue White Ambiance | Qty: 4 | Unit price: 24.99 | Total: 99.96")
r("negative_csv", "sku,qty,price\nHW-2201,3,19.99\nHW-2202,1,249.00\nHW-2210,12,4.50")
r("negative_json", 'Validate this: {"version": "3.11.6", "build": 20261205, "features": ["dark_mode", "offline"], "ratio": 0.618}')
r("negative_code", "Server listening on port 8080; health check returned 200 OK in 12.4 ms.")
r("negative_code", "The semver range ^1.2.3 should include 1.10.0 but npm resolved 1.2.9. Why?")
r("negative_meeting", "Agenda: 1) Q3 numbers 2) hiring plan 3) office move 4) AOB. Decision: freeze non-critical spend.")
r("negative_code", "Is Ada still used in avionics? And is Pascal worth learning for historical interest?")
r("negative_shopping", "Cartier or Rolex for a first luxury watch around 7,000?")
r("negative_medical", "Is Alzheimer's hereditary? My risk calculator says 14% but I don't know how it's computed.")
r("negative_medical", "Can Down syndrome be detected in the first trimester with the NIPT test?")
r("negative_film", "Is Schindler's List appropriate for a 14-year-old's history class?")
r("negative_code", "Why is my Hadoop job's reducer stuck at 67% after the Kafka topic rebalance?")
r("negative_form", "Reference: 2026/11/0042 | Amount: 1,250.00 | Status: pending | Priority: P2")


# --- build -----------------------------------------------------------------------------------
TYPES = {P, L, EM, PH, CC, SSN, IB, IP, URL}


class DataError(ValueError):
    pass


def _spans(text: str, value: str) -> list[tuple[int, int]]:
    """Whole-token occurrences of value in text (not inside a longer word or number)."""
    pat = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)")
    return [(m.start(), m.end()) for m in pat.finditer(text)]


def build_rows() -> list[dict]:
    out = []
    for n, (kind, text, ents) in enumerate(ROWS, start=1):
        rid = f"h{n:04d}"
        if kind.startswith("negative_") and ents:
            raise DataError(f"{rid}: negative row has entities")
        if not kind.startswith("negative_") and not ents:
            raise DataError(f"{rid}: positive row has no entities")
        spans = []
        for ent in ents:
            etype, value = ent[0], ent[1]
            if etype not in TYPES:
                raise DataError(f"{rid}: unknown entity type {etype!r}")
            found = _spans(text, value)
            if len(ent) == 3:
                idx = ent[2]
                if idx >= len(found):
                    raise DataError(f"{rid}: {value!r} occurrence {idx} not found ({len(found)} found)")
                start, end = found[idx]
            else:
                if len(found) != 1:
                    raise DataError(f"{rid}: {value!r} found {len(found)} times; give an occurrence index")
                start, end = found[0]
            spans.append({"type": etype, "start": start, "end": end, "value": value})
        spans.sort(key=lambda e: (e["start"], e["end"]))
        for a, b in zip(spans, spans[1:]):
            if b["start"] < a["end"]:
                raise DataError(f"{rid}: overlapping entities {a['value']!r} and {b['value']!r}")
        if len({(e["start"], e["end"]) for e in spans}) != len(spans):
            raise DataError(f"{rid}: duplicate entity span")
        out.append({"id": rid, "kind": kind, "split": "fresh3", "text": text, "entities": spans})
    return out


def render() -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in build_rows())


def main() -> int:
    try:
        data = render()
    except DataError as exc:
        print(f"make_pii_fresh3.py: bad data: {exc}", file=sys.stderr)
        return 1
    OUT.write_text(data, encoding="utf-8")
    print(f"wrote {OUT} ({data.count(chr(10))} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
