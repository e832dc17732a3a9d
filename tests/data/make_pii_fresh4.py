"""Generate tests/data/pii_fresh4.jsonl, the fourth fresh held-out PII test set.

Written by hand on 2026-12-05 by a helper session of the Workbench project (an AI assistant
working from a brief), sentence by sentence, as production text reaching a fine-tuning data
pipeline would look. The rows are not templated: each sentence and each entity value is written
out below as data. Names and places were invented as a person would write them (no name or
place lists from Python packages). The text was never run through Workbench's redactor,
Presidio, spaCy or any other recogniser, and nothing about it was chosen by looking at what a
recogniser finds. Card numbers, IBANs and SSNs were produced once by a throw-away script (valid
Luhn, mod-97 and SSN area/group/serial rules) and pasted in as literals.

Offsets are computed here from the values: a value must occur exactly once in its text unless an
occurrence index is given, otherwise the script fails loudly.

Run: python tests/data/make_pii_fresh4.py  (writes pii_fresh4.jsonl next to this file)
"""
import json
import sys
from pathlib import Path

TYPES = {
    "P": "PERSON", "L": "LOCATION", "E": "EMAIL_ADDRESS", "T": "PHONE_NUMBER",
    "C": "CREDIT_CARD", "S": "US_SSN", "I": "IBAN_CODE", "IP": "IP_ADDRESS", "U": "URL",
}

ROWS = []


def R(kind, text, *ents):
    """One row: kind, text, then entities as (code, value) or (code, value, occurrence)."""
    ROWS.append((kind, text, ents))


# --- chatbot prompts with personal context ---
R("chatbot", "My name is Oluwaseun Adebayo-Martins and I'm moving from Lagos to Rotterdam in March. Can you help me write a cover letter?",
  ("P", "Oluwaseun Adebayo-Martins"), ("L", "Lagos"), ("L", "Rotterdam"))
R("chatbot", "help me reply to my landlord Mr. Kowalczyk, he says I owe him for a broken boiler but it was broken when I moved in",
  ("P", "Kowalczyk"))
R("chatbot", "Write a birthday poem for my grandmother Nkechi, she turns 80 on Sunday and loves gardening.",
  ("P", "Nkechi"))
R("chatbot", "I'm Siddharth, a nurse in Pune. Explain the difference between type 1 and type 2 diabetes for my patients in simple words.",
  ("P", "Siddharth"), ("L", "Pune"))
R("chatbot", "can u translate this for my mother-in-law Haruka Ishikawa? she only reads japanese. 'dinner at 7, we'll pick you up from the station'",
  ("P", "Haruka Ishikawa"))
R("chatbot", "My colleague Thandiwe Mokoena keeps taking credit for my work in meetings. How do I raise it with our manager, Pieter van der Berg, without sounding petty?",
  ("P", "Thandiwe Mokoena"), ("P", "Pieter van der Berg"))
R("chatbot", "Draft an email to Prof. Álvarez-Quintero asking for an extension on my thesis chapter. My advisor Dr. Yusuf Demir already agreed.",
  ("P", "Álvarez-Quintero"), ("P", "Yusuf Demir"))
R("chatbot", "plan a 5 day trip for me and my husband Tavita around Samoa and then Auckland, budget around 4000 NZD",
  ("P", "Tavita"), ("L", "Samoa"), ("L", "Auckland"))
R("chatbot", "I need a reference for Bogdan Ionescu who worked for me in Cluj for three years as a welder. Keep it short and warm.",
  ("P", "Bogdan Ionescu"), ("L", "Cluj"))
R("chatbot", "Summarise this for me: my sister Ingrid Solberg lives in Tromsø and wants to sell her flat, our brother Magnus thinks she should rent it out instead.",
  ("P", "Ingrid Solberg"), ("L", "Tromsø"), ("P", "Magnus"))
R("chatbot", "What should I say at the funeral of my uncle Chayton Runningwater? He was a teacher on the reservation near Rapid City for 40 years.",
  ("P", "Chayton Runningwater"), ("L", "Rapid City"))
R("chatbot", "My son Eitan Rosenthal-Katz got into two schools, one in Haifa and one in Boston. Make a pros and cons table please.",
  ("P", "Eitan Rosenthal-Katz"), ("L", "Haifa"), ("L", "Boston"))
R("chatbot", "I run a small bakery with my friend Nguyễn Thị Lan in Da Nang. Suggest an Instagram caption for our new mooncakes.",
  ("P", "Nguyễn Thị Lan"), ("L", "Da Nang"))
R("chatbot", "rewrite this so it sounds more professional: hey fatima, the files r on the drive, ping me if u cant find them -- karim",
  ("P", "fatima"), ("P", "karim"))
R("chatbot", "Please help me with a complaint letter. On 3 May I flew from Nairobi to Dubai and my bag never arrived. Passenger name: Wanjiru Kamau, booking ref XK7P2Q.",
  ("L", "Nairobi"), ("L", "Dubai"), ("P", "Wanjiru Kamau"))
R("chatbot", "My ex, Dmitri Volkov, keeps texting me from a new number +7 916 482-30-57. Is this harassment, legally speaking?",
  ("P", "Dmitri Volkov"), ("T", "+7 916 482-30-57"))
R("chatbot", "Can you check my maths? I paid my nanny Rosa Elena Quispe 1,800 soles a month in Cusco and want to know the yearly total with the gratificación.",
  ("P", "Rosa Elena Quispe"), ("L", "Cusco"))
R("chatbot", "I'm writing a eulogy for Aroha Te Whare. She grew up in Rotorua and taught kapa haka for decades.",
  ("P", "Aroha Te Whare"), ("L", "Rotorua"))
R("chatbot", "Act as my tutor. Im Zeynep, 16, from Izmir, and I keep failing chemistry tests on moles.",
  ("P", "Zeynep"), ("L", "Izmir"))
R("chatbot", "My friend Kwabena's wedding is in Kumasi next month. Give me a toast that mentions his wife Efua and their dog.",
  ("P", "Kwabena"), ("L", "Kumasi"), ("P", "Efua"))

# --- support tickets and replies ---
R("support", "Ticket #48213 - Customer Marguerite Delacroix-Roy reports that her card ending 4471 was charged twice. Callback number 514-302-8816.",
  ("P", "Marguerite Delacroix-Roy"), ("T", "514-302-8816"))
R("support", "Hi Anselm, thanks for getting in touch. I've reset your password and sent a link to anselm.brandt@posteo.de. Best, Priya (Support Team)",
  ("P", "Anselm"), ("E", "anselm.brandt@posteo.de"), ("P", "Priya"))
R("support", "Customer says the app crashes on login. Device IP 83.149.22.107, account owner Jarrah Whitfield, Perth.",
  ("IP", "83.149.22.107"), ("P", "Jarrah Whitfield"), ("L", "Perth"))
R("support", "Escalated to tier 2 by Mei-Ling Chow. User could not reach https://portal.brightwave-energy.com/account/billing from her office network.",
  ("P", "Mei-Ling Chow"), ("U", "https://portal.brightwave-energy.com/account/billing"))
R("support", "Dear Mr Okonkwo, we are sorry about the delay. Your replacement router will be sent to your address in Enugu within 5 working days.",
  ("P", "Okonkwo"), ("L", "Enugu"))
R("support", "Caller: Svetlana Petrenko. Wants to update payment card to 5365642400882871, exp 09/29. Verified with last 4 of SSN.",
  ("P", "Svetlana Petrenko"), ("C", "5365642400882871"))
R("support", "Reply from agent Tomasz: Hello Beatriz, I can see two failed logins from 2001:db8:4f2a:11::7c this morning. Was that you?",
  ("P", "Tomasz"), ("P", "Beatriz"), ("IP", "2001:db8:4f2a:11::7c"))
R("support", "hi my name is darnell jackson and i cant log in since the update, my email is djackson1987@gmail.com pls help asap",
  ("P", "darnell jackson"), ("E", "djackson1987@gmail.com"))
R("support", "Refund approved for Ms. Ōtsuka. Amount credited to IBAN DE20943480065695572672 on 2 Dec.",
  ("P", "Ōtsuka"), ("I", "DE20943480065695572672"))
R("support", "Internal note: Rahul Menon (Chennai office) confirmed the customer's new number is +91 98401 22317. Closing ticket.",
  ("P", "Rahul Menon"), ("L", "Chennai"), ("T", "+91 98401 22317"))
R("support", "Good morning Ximena, your ticket has been passed to our team in Monterrey. Someone will call you at +52 81 1934 6620.",
  ("P", "Ximena"), ("L", "Monterrey"), ("T", "+52 81 1934 6620"))
R("support", "The user Kalani Akana says the reset link https://id.tidepool-app.io/reset?u=kakana expired before she clicked it.",
  ("P", "Kalani Akana"), ("U", "https://id.tidepool-app.io/reset?u=kakana"))
R("support", "Hello, I'm writing on behalf of my father, Abdullahi Warsame. He can't read the letters you send. Could you call me, Hodan, on 07700 918 442 instead?",
  ("P", "Abdullahi Warsame"), ("P", "Hodan"), ("T", "07700 918 442"))
R("support", "Agent notes - spoke w/ Lars-Erik Nyqvist, he's in Umeå, wants the invoice re-issued to his company. Sent to lars-erik@nyqvist-bygg.se.",
  ("P", "Lars-Erik Nyqvist"), ("L", "Umeå"), ("E", "lars-erik@nyqvist-bygg.se"))
R("support", "Thanks for your patience, Giuseppina. The technician, Marco, will visit on Thursday between 9 and 12.",
  ("P", "Giuseppina"), ("P", "Marco"))
R("support", "Blocked login attempts for account of Hamid Rezaei from 185.220.101.44 and 185.220.101.45 (Tor exit nodes).",
  ("P", "Hamid Rezaei"), ("IP", "185.220.101.44"), ("IP", "185.220.101.45"))

# --- customer e-mails ---
R("email", "From: Chiamaka Eze <chiamaka.eze@outlook.com>\nTo: billing@northpine.co\nSubject: Wrong amount on invoice",
  ("P", "Chiamaka Eze"), ("E", "chiamaka.eze@outlook.com"), ("E", "billing@northpine.co"))
R("email", "Kind regards,\nHenrik Lindqvist\nSenior Buyer | Gothenburg\n+46 31 704 52 18",
  ("P", "Henrik Lindqvist"), ("L", "Gothenburg"), ("T", "+46 31 704 52 18"))
R("email", "On Tue, 14 Nov, Amara Nwosu <a.nwosu@kelbrook-law.co.uk> wrote:\n> Please find the signed lease attached.",
  ("P", "Amara Nwosu"), ("E", "a.nwosu@kelbrook-law.co.uk"))
R("email", "---------- Forwarded message ---------\nFrom: Rafael Castillo Ibáñez <rcastillo@grupoaltamar.mx>\nDate: Mon, 6 Nov 2026\nSubject: Cotización",
  ("P", "Rafael Castillo Ibáñez"), ("E", "rcastillo@grupoaltamar.mx"))
R("email", "Dear Ms. Abernathy-Cole,\n\nFurther to our call, I attach the revised schedule. Please let me know if Thursday suits.\n\nYours sincerely,\nDeclan O'Sullivan",
  ("P", "Abernathy-Cole"), ("P", "Declan O'Sullivan"))
R("email", "Hi team, I'll be out of office until the 20th. For urgent matters please contact Sunita Raghavan (sunita.r@meridianhealth.org, ext. 4417).",
  ("P", "Sunita Raghavan"), ("E", "sunita.r@meridianhealth.org"))
R("email", "Cheers,\nLiam\n--\nLiam Tremblay | Field Engineer\nHalifax, Nova Scotia\ncell 902-555-0148",
  ("P", "Liam", 0), ("P", "Liam Tremblay"), ("L", "Halifax"), ("L", "Nova Scotia"), ("T", "902-555-0148"))
R("email", "Bonjour Mme Lefebvre, suite à votre demande je vous envoie le devis. Cordialement, Antoine Girard, Lyon",
  ("P", "Lefebvre"), ("P", "Antoine Girard"), ("L", "Lyon"))
R("email", "Please wire the deposit to our account: Kowalski & Sons, IBAN PL26198151894918255912440680, reference HOUSE-17.",
  ("I", "PL26198151894918255912440680"))
R("email", "> From: Björn Hallgrímsson <bjorn@fjordtours.is>\n> Sent: Friday\n> We can fit 12 people on the Saturday boat out of Reykjavík.",
  ("P", "Björn Hallgrímsson"), ("E", "bjorn@fjordtours.is"), ("L", "Reykjavík"))
R("email", "Hello Mr. Tanaka-Webb, thank you for your application. Our recruiter Olamide will contact you at the number you gave, 0412 665 093.",
  ("P", "Tanaka-Webb"), ("P", "Olamide"), ("T", "0412 665 093"))
R("email", "Best wishes, Dr Aisling Ní Bhriain, Consultant Dermatologist, Galway",
  ("P", "Aisling Ní Bhriain"), ("L", "Galway"))
R("email", "Sorry for the late reply - I was in Marrakech with Youssef and Salma all week. Let's meet Monday?",
  ("L", "Marrakech"), ("P", "Youssef"), ("P", "Salma"))
R("email", "Regards, Jürgen Baumgärtner\nTel. +49 89 2180 4471\nMünchen",
  ("P", "Jürgen Baumgärtner"), ("T", "+49 89 2180 4471"), ("L", "München"))
R("email", "Hi Priyanka, attaching the NDA. Please send it back signed to legal@quillstone.com or to me directly. Thanks, Hannah Goldberg",
  ("P", "Priyanka"), ("E", "legal@quillstone.com"), ("P", "Hannah Goldberg"))
# --- medical ---
R("medical", "My daughter Leilani (7) has had a fever for three days. Our GP in Hilo, Dr. Kahananui, said it's viral but she's still not eating. Should I go to the ER?",
  ("P", "Leilani"), ("L", "Hilo"), ("P", "Kahananui"))
R("medical", "Patient: Gustavo Pereira da Silva, DOB 12/04/1961, SSN 413-70-0149. Referred by Dr. Ines Moreau for cardiology follow-up.",
  ("P", "Gustavo Pereira da Silva"), ("S", "413-70-0149"), ("P", "Ines Moreau"))
R("medical", "i was prescribed metformin by dr patel last week and now my stomach hurts all the time is that normal",
  ("P", "patel"))
R("medical", "Discharge summary for Ms. Adaeze Okafor: admitted via A&E at St Thomas', London, with community-acquired pneumonia.",
  ("P", "Adaeze Okafor"), ("L", "London"))
R("medical", "Hi, this is Farah Haddad's mum. Farah has an appointment with Dr. Lindgren on Friday but we are stuck in Amman until Sunday. Can we move it?",
  ("P", "Farah Haddad", 0), ("P", "Farah", 1), ("P", "Lindgren"), ("L", "Amman"))
R("medical", "Insurance member Kenji Morimoto, SSN 703-66-2685, requests pre-authorisation for an MRI of the left knee.",
  ("P", "Kenji Morimoto"), ("S", "703-66-2685"))
R("medical", "Can someone explain my blood results? Dr. Mwangi said my ferritin is low. I'm vegetarian and live in Mombasa, so what foods help?",
  ("P", "Mwangi"), ("L", "Mombasa"))
R("medical", "Nurse handover: bed 4, Mr. Hoang Van Duc, post-op day 2, pain controlled. Wife Mai visiting at 3pm, contact 0903 271 845.",
  ("P", "Hoang Van Duc"), ("P", "Mai"), ("T", "0903 271 845"))

# --- legal ---
R("legal", "I'm in a custody dispute with my ex-husband Rustam Nazarov in Almaty. He wants to take our son to Moscow for school. What are my rights?",
  ("P", "Rustam Nazarov"), ("L", "Almaty"), ("L", "Moscow"))
R("legal", "Our client, Mrs. Philippa Ashworth-Hughes, instructs us regarding the boundary wall at her property in Harrogate.",
  ("P", "Philippa Ashworth-Hughes"), ("L", "Harrogate"))
R("legal", "Witness statement of Tomás Ó Ceallaigh: On the night of 4 June I saw a grey van parked outside number 12, Ballina.",
  ("P", "Tomás Ó Ceallaigh"), ("L", "Ballina"))
R("legal", "my neighbour joe kaminski cut down a tree that was on my side of the fence in toledo, can i sue him in small claims?",
  ("P", "joe kaminski"), ("L", "toledo"))
R("legal", "Power of attorney granted by Esperanza Villalobos to her nephew, Andrés Villalobos Ruiz, for matters concerning the house in Valparaíso.",
  ("P", "Esperanza Villalobos"), ("P", "Andrés Villalobos Ruiz"), ("L", "Valparaíso"))
R("legal", "Tenant Abebe Girma (SSN 525-81-7764) has not paid rent since August. Please prepare a notice for the hearing.",
  ("P", "Abebe Girma"), ("S", "525-81-7764"))

# --- HR ---
R("hr", "Performance review: Nomvula Dlamini exceeded targets this quarter. Her line manager, Craig Fensome, recommends promotion to Team Lead.",
  ("P", "Nomvula Dlamini"), ("P", "Craig Fensome"))
R("hr", "New starter form - Name: Ravindra Wickramasinghe; Start date: 8 Jan; Office: Colombo; Emergency contact: +94 77 318 4620",
  ("P", "Ravindra Wickramasinghe"), ("L", "Colombo"), ("T", "+94 77 318 4620"))
R("hr", "Payroll update: please pay Aleksandra Zielińska's December salary to her new account DE67703102957093487930 from now on; the old one is closed.",
  ("P", "Aleksandra Zielińska"), ("I", "DE67703102957093487930"))
R("hr", "Exit interview with Sipho Ndlovu. He is relocating to Durban to be closer to family; would consider coming back.",
  ("P", "Sipho Ndlovu"), ("L", "Durban"))
R("hr", "W-4 correction for employee Maria-Luisa Fontana: SSN on file 364-74-1235 was mistyped as 364-74-1253 in the payroll system.",
  ("P", "Maria-Luisa Fontana"), ("S", "364-74-1235"), ("S", "364-74-1253"))
R("hr", "Complaint received from Oyelaran about comments made by his supervisor, K. Whitmore, during the night shift.",
  ("P", "Oyelaran"), ("P", "K. Whitmore"))
R("hr", "Hi Saoirse, please remember to submit your timesheet. Ewa from payroll needs them all by noon Friday.",
  ("P", "Saoirse"), ("P", "Ewa"))

# --- travel ---
R("travel", "Booking confirmation for MR ARJUN KRISHNAMURTHY, flight from Bengaluru to Singapore, seat 23A.",
  ("P", "ARJUN KRISHNAMURTHY"), ("L", "Bengaluru"), ("L", "Singapore"))
R("travel", "Hi! We're the Oyelowo family (Femi, Bisi and the twins) arriving in Lisbon on the 12th. Is there a cot available?",
  ("P", "Oyelowo"), ("P", "Femi"), ("P", "Bisi"), ("L", "Lisbon"))
R("travel", "Driver Ahmad will meet Ms. Katarzyna Wójcik at Kraków airport arrivals holding a sign. His mobile: +48 601 552 903.",
  ("P", "Ahmad"), ("P", "Katarzyna Wójcik"), ("L", "Kraków"), ("T", "+48 601 552 903"))
R("travel", "Lost passport report: holder Chen Jiahui, born in Chengdu, last seen at the hostel in Hanoi on Tuesday.",
  ("P", "Chen Jiahui"), ("L", "Chengdu"), ("L", "Hanoi"))
R("travel", "Can you suggest a route from Tbilisi to Yerevan by train? I'm travelling with my friend Nino.",
  ("L", "Tbilisi"), ("L", "Yerevan"), ("P", "Nino"))
R("travel", "Guest: Rangi Parata. Check-in 14:00, Queenstown. Card on file 4181982403565718. Late checkout requested.",
  ("P", "Rangi Parata"), ("L", "Queenstown"), ("C", "4181982403565718"))

# --- banking ---
R("banking", "Please transfer 2,500 EUR from my account to Élodie Marchand, IBAN FR989657334955Q044648904179, reference 'loyer novembre'.",
  ("P", "Élodie Marchand"), ("I", "FR989657334955Q044648904179"))
R("banking", "I think my Visa 4309 0444 7312 2008 was cloned, there are charges from Bucharest I never made. - Cosmin",
  ("C", "4309 0444 7312 2008"), ("L", "Bucharest"), ("P", "Cosmin"))
R("banking", "Account holder: Ngozi Chukwuemeka\nIBAN: GB18 NWBK 0338 5268 6391 60\nBranch: Manchester",
  ("P", "Ngozi Chukwuemeka"), ("I", "GB18 NWBK 0338 5268 6391 60"), ("L", "Manchester"))
R("banking", "why did my amex 3410 749226 21852 get declined at the hotel in cancun?? called twice nobody answers",
  ("C", "3410 749226 21852"), ("L", "cancun"))
R("banking", "Standing order for Jorge Mendoza Cárdenas to ES79 2732 8598 0736 0915 9979 monthly, first payment 1 January.",
  ("P", "Jorge Mendoza Cárdenas"), ("I", "ES79 2732 8598 0736 0915 9979"))
R("banking", "Chargeback dispute: cardholder Imogen Fairweather, Mastercard 2221-0845-4109-9902, merchant 'SkyHop Travel'.",
  ("P", "Imogen Fairweather"), ("C", "2221-0845-4109-9902"))
R("banking", "Hej, I need to pay my rent to Sofie Andersen, her account is DK0670810538941237. Which fee applies for a transfer from Norway?",
  ("P", "Sofie Andersen"), ("I", "DK0670810538941237"), ("L", "Norway"))
R("banking", "Fraud alert: card 6011 8999 3067 0673 used in Phoenix and Lagos within 20 minutes. Customer Bartholomew Achterberg notified by SMS.",
  ("C", "6011 8999 3067 0673"), ("L", "Phoenix"), ("L", "Lagos"), ("P", "Bartholomew Achterberg"))
R("banking", "Please update my payout IBAN to NL18RABO8300289537. Thanks, Wouter Jansen",
  ("I", "NL18RABO8300289537"), ("P", "Wouter Jansen"))

# --- insurance ---
R("insurance", "Claim no. 7781-22: policyholder Darius Farahani reports water damage at his flat in Leeds after the neighbour's pipe burst.",
  ("P", "Darius Farahani"), ("L", "Leeds"))
R("insurance", "The other driver was a Ms. Gabriela Dvořáková, she gave me her number 777 312 908 and said she's insured with Kooperativa.",
  ("P", "Gabriela Dvořáková"), ("T", "777 312 908"))
R("insurance", "Beneficiary change request: primary beneficiary Kaiah Begay, SSN 146-13-6440, relationship daughter.",
  ("P", "Kaiah Begay"), ("S", "146-13-6440"))
R("insurance", "Please send the payout to my Austrian account AT250732360720926814. Policy holder: Ferdinand Huber, Graz.",
  ("I", "AT250732360720926814"), ("P", "Ferdinand Huber"), ("L", "Graz"))
R("insurance", "Adjuster visit scheduled: Obinna Nwachukwu will inspect the roof on Wednesday. Homeowner Linnea Holm to be present.",
  ("P", "Obinna Nwachukwu"), ("P", "Linnea Holm"))

# --- school ---
R("school", "Dear parents, Mrs. Papadopoulou will be taking Year 4 on the trip to Thessaloniki. Please return the consent forms by Friday.",
  ("P", "Papadopoulou"), ("L", "Thessaloniki"))
R("school", "Absence note: Kofi Mensah-Boateng was at the dentist this morning. Signed, Akosua Mensah (mother).",
  ("P", "Kofi Mensah-Boateng"), ("P", "Akosua Mensah"))
R("school", "teacher says my son aditya is falling behind in reading. we just moved from hyderabad and he's still learning english, any tips?",
  ("P", "aditya"), ("L", "hyderabad"))
R("school", "Scholarship application of Valentina Rojas Echeverría, Bogotá, recommended by her teacher Mr. Héctor Salgado.",
  ("P", "Valentina Rojas Echeverría"), ("L", "Bogotá"), ("P", "Héctor Salgado"))
R("school", "Student Ayaan Qureshi (ID 20391) and Lucía Ferreyra swapped lab groups. Updated list is at https://moodle.kestrelridge.edu/course/view.php?id=418.",
  ("P", "Ayaan Qureshi"), ("P", "Lucía Ferreyra"), ("U", "https://moodle.kestrelridge.edu/course/view.php?id=418"))

# --- real estate ---
R("real_estate", "Viewing booked for 2-bed flat on Harbour Road, Cork. Applicant: Niamh Gallagher, 087 214 9930.",
  ("L", "Cork"), ("P", "Niamh Gallagher"), ("T", "087 214 9930"))
R("real_estate", "The seller, Mr. Haruto Fujimoto, has accepted your offer on the house in Nagano. His agent Emi will send the paperwork.",
  ("P", "Haruto Fujimoto"), ("L", "Nagano"), ("P", "Emi"))
R("real_estate", "Landlord reference: Tenant Oksana Melnyk rented from me in Lviv 2019-2023, always paid on time. Contact: v.hrytsenko@ukr.net",
  ("P", "Oksana Melnyk"), ("L", "Lviv"), ("E", "v.hrytsenko@ukr.net"))
R("real_estate", "Listing: 3-bedroom bungalow, quiet street in Kingston, Jamaica. Call Delroy on 876-441-2093 for viewings.",
  ("L", "Kingston"), ("L", "Jamaica"), ("P", "Delroy"), ("T", "876-441-2093"))

# --- government services ---
R("government", "I need to renew my residence permit in Vienna. My name is Amir Hosseini, my wife Shirin's permit expires the same day.",
  ("L", "Vienna"), ("P", "Amir Hosseini"), ("P", "Shirin"))
R("government", "Applicant Dolores Huerta-Vance, SSN 054-30-5172, requests a replacement Social Security card after moving to Tucson.",
  ("P", "Dolores Huerta-Vance"), ("S", "054-30-5172"), ("L", "Tucson"))
R("government", "hi i applied for housing benefit in glasgow 3 weeks ago, ref HB-88213, name is callum mcbride, still nothing??",
  ("L", "glasgow"), ("P", "callum mcbride"))
R("government", "Form DS-82: Name Kaveh Shirazi, Place of birth Tehran, Iran, SSN 656-15-2420.",
  ("P", "Kaveh Shirazi"), ("L", "Tehran"), ("L", "Iran"), ("S", "656-15-2420"))
R("government", "Voter registration for Ta'aloga Faleolo at his new address in Pago Pago was rejected due to a typo in his surname.",
  ("P", "Ta'aloga Faleolo"), ("L", "Pago Pago"))
# --- forum and social posts ---
R("forum", "Shoutout to Mama Adwoa in Accra who fixed my sewing machine for free. Legend!! 🙏",
  ("P", "Adwoa"), ("L", "Accra"))
R("forum", "Re: best hiking near Bergen? My cousin Sigrid took me up the big mountain last summer, highly recommend.",
  ("L", "Bergen"), ("P", "Sigrid"))
R("forum", "Anyone know a good electrician in Brisbane? Last one, a guy called Shane Rutherford, never showed up.",
  ("L", "Brisbane"), ("P", "Shane Rutherford"))
R("forum", "RIP to my grandpa Mordechai Feldstein, born in Odessa 1931, passed peacefully in Tel Aviv yesterday. ❤️",
  ("P", "Mordechai Feldstein"), ("L", "Odessa"), ("L", "Tel Aviv"))
R("forum", "@trailmix_22 thanks man. Also big thanks to Esi Asante for the notes, check her blog at https://esiwrites.substack.com/p/notes-week-3",
  ("P", "Esi Asante"), ("U", "https://esiwrites.substack.com/p/notes-week-3"))
R("forum", "lost dog near the stadium in Medellín, answers to Toby, if found call Juliana 300 482 1176",
  ("L", "Medellín"), ("P", "Juliana"), ("T", "300 482 1176"))
R("forum", "So proud of my niece Anahera Ngata who just graduated as a doctor in Wellington 🎓",
  ("P", "Anahera Ngata"), ("L", "Wellington"))
R("forum", "Selling my bike, pick up in Utrecht. DM me or email fiets.verkoop.daan@gmail.com - Daan",
  ("L", "Utrecht"), ("E", "fiets.verkoop.daan@gmail.com"), ("P", "Daan"))
R("forum", "Has anyone dealt with the landlord Vikram Choudhary in Leicester? He's holding my deposit.",
  ("P", "Vikram Choudhary"), ("L", "Leicester"))
R("forum", "Update: Dr. Ngozi Adichie-Bello from the clinic in Abuja replied and my appointment is confirmed!",
  ("P", "Ngozi Adichie-Bello"), ("L", "Abuja"))

# --- meeting minutes ---
R("minutes", "Attendees: Hiroshi Nakamura (chair), Benedetta Russo, Kwame Appiah, Olga Sokolova. Apologies: Finn Larsen.",
  ("P", "Hiroshi Nakamura"), ("P", "Benedetta Russo"), ("P", "Kwame Appiah"), ("P", "Olga Sokolova"), ("P", "Finn Larsen"))
R("minutes", "Action: Rukhsana to send the budget to Gérard by Friday. Gérard to confirm venue in Marseille.",
  ("P", "Rukhsana"), ("P", "Gérard", 0), ("P", "Gérard", 1), ("L", "Marseille"))
R("minutes", "Minutes taken by A. Oduya. The board thanked Mrs. Wairimu Njoroge for ten years as treasurer.",
  ("P", "A. Oduya"), ("P", "Wairimu Njoroge"))
R("minutes", "Item 3: The Perth and Adelaide offices will merge. Tamsin Pryce-Jones will lead the transition with support from Ahmed El-Sayed.",
  ("L", "Perth"), ("L", "Adelaide"), ("P", "Tamsin Pryce-Jones"), ("P", "Ahmed El-Sayed"))
R("minutes", "Next meeting: Zoom, 10am. Link https://us02web.zoom.us/j/84410293377 - host Joaquín Herrera.",
  ("U", "https://us02web.zoom.us/j/84410293377"), ("P", "Joaquín Herrera"))

# --- CRM notes ---
R("crm", "Spoke to Fiona MacLeod (procurement, Inverness). Interested in 40 licences, wants a demo with her CTO, Rory.",
  ("P", "Fiona MacLeod"), ("L", "Inverness"), ("P", "Rory"))
R("crm", "Lead: Bongani Khumalo | bongani@khumalo-logistics.co.za | +27 82 555 0193 | Johannesburg",
  ("P", "Bongani Khumalo"), ("E", "bongani@khumalo-logistics.co.za"), ("T", "+27 82 555 0193"), ("L", "Johannesburg"))
R("crm", "Follow-up call with Mr. Al-Mansouri postponed, he's travelling to Riyadh. Assistant Layla says try next Tuesday.",
  ("P", "Al-Mansouri"), ("L", "Riyadh"), ("P", "Layla"))
R("crm", "Renewal risk: customer contact Isabelle Dufresne left the company; new contact is Théo Marchetti (theo.marchetti@lumiere-optique.fr).",
  ("P", "Isabelle Dufresne"), ("P", "Théo Marchetti"), ("E", "theo.marchetti@lumiere-optique.fr"))
R("crm", "met jae-won park at the expo in seoul, wants pricing for 3 sites. sent deck.",
  ("P", "jae-won park"), ("L", "seoul"))
R("crm", "Contact record updated: Phone changed from (312) 555-0172 to (312) 555-0199 at request of Latoya Washington.",
  ("T", "(312) 555-0172"), ("T", "(312) 555-0199"), ("P", "Latoya Washington"))

# --- chat transcripts ---
R("chat", "Agent (Noura): Hi, how can I help?\nCustomer (Beñat Etxeberria): My parcel to Bilbao never arrived.",
  ("P", "Noura"), ("P", "Beñat Etxeberria"), ("L", "Bilbao"))
R("chat", "Tevita: bro are we still on for saturday\nSione: ya meet at the church in Nuku'alofa at 4\nTevita: sweet",
  ("P", "Tevita", 0), ("P", "Sione"), ("L", "Nuku'alofa"), ("P", "Tevita", 1))
R("chat", "[10:02] Ahmed: did Svenja send the slides?\n[10:03] Lukas: not yet, she's on a train to Hamburg",
  ("P", "Ahmed"), ("P", "Svenja"), ("P", "Lukas"), ("L", "Hamburg"))
R("chat", "User: my name's Thuy and my card 5595 9366 4425 2103 isn't working on your site\nBot: I'm sorry to hear that, Thuy.",
  ("P", "Thuy", 0), ("C", "5595 9366 4425 2103"), ("P", "Thuy", 1))
R("chat", "Moderator: Welcome Oyinkansola! Please introduce yourself.\nOyinkansola: hi all, designer from Ibadan 👋",
  ("P", "Oyinkansola", 0), ("P", "Oyinkansola", 1), ("L", "Ibadan"))
R("chat", "Rep: Can I have the IP address shown on the error page?\nKlaus Wendt: it says 10.14.3.201\nRep: Thanks Klaus.",
  ("P", "Klaus Wendt"), ("IP", "10.14.3.201"), ("P", "Klaus", 1))

# --- SMS / WhatsApp ---
R("sms", "hey its manon, new number, save it 06 72 18 44 90 😘",
  ("P", "manon"), ("T", "06 72 18 44 90"))
R("sms", "Mum says Auntie Grace is landing in London at 6, can u pick her up? Her flight's delayed from Harare",
  ("P", "Grace"), ("L", "London"), ("L", "Harare"))
R("sms", "ok so kemal said hes bringing the car and yusuf is bringing food lol",
  ("P", "kemal"), ("P", "yusuf"))
R("sms", "Your Uber driver Waleed is arriving in a silver Corolla. Call him on +44 7911 123 890 if you can't find him.",
  ("P", "Waleed"), ("T", "+44 7911 123 890"))
R("sms", "happy bday ana-sofia!!! 🎂🎉 miss u in santiago",
  ("P", "ana-sofia"), ("L", "santiago"))
R("sms", "Reminder: Dr. Mbeki's clinic tomorrow 9:15. Reply Y to confirm or call 011 482 3301.",
  ("P", "Mbeki"), ("T", "011 482 3301"))
R("sms", "pls send the money to jaroslav, his iban is CZ7831316652034014624510 thx",
  ("P", "jaroslav"), ("I", "CZ7831316652034014624510"))
R("sms", "im outside ur building in kadikoy, where r u?? - emre",
  ("L", "kadikoy"), ("P", "emre"))
R("sms", "Maile and Keoni are staying at ours tonight, back to Honolulu tmrw 🌺",
  ("P", "Maile"), ("P", "Keoni"), ("L", "Honolulu"))
R("sms", "bhai rohit ka number de de, 98 2011 4573 ya kuch aur?",
  ("P", "rohit"), ("T", "98 2011 4573"))
# --- forms ---
R("form", "Full name: Olusegun Bankole-Ajayi\nCity: Ibadan\nCountry: Nigeria\nEmail: segun.ajayi@yahoo.com\nPhone: +234 803 412 7765",
  ("P", "Olusegun Bankole-Ajayi"), ("L", "Ibadan"), ("L", "Nigeria"), ("E", "segun.ajayi@yahoo.com"), ("T", "+234 803 412 7765"))
R("form", "Name: Wiremu Tane | Address: 14 Kauri Street, Whangārei 0110, New Zealand | Card: 4426 7981 7544 8403",
  ("P", "Wiremu Tane"), ("L", "Whangārei"), ("L", "New Zealand"), ("C", "4426 7981 7544 8403"))
R("form", "Applicant SSN: 275-79-9203  Spouse SSN: 492-61-8876  Applicant name: Desmond Achebe-Lloyd",
  ("S", "275-79-9203"), ("S", "492-61-8876"), ("P", "Desmond Achebe-Lloyd"))
R("form", "Emergency contact: Parisa Tehrani (sister), tel. 0171 8823 441, Berlin",
  ("P", "Parisa Tehrani"), ("T", "0171 8823 441"), ("L", "Berlin"))
R("form", "Surname: NAKASHIMA  Given names: Yui  Nationality: Japan  Place of issue: Osaka",
  ("P", "NAKASHIMA"), ("P", "Yui"), ("L", "Japan"), ("L", "Osaka"))
R("form", "Payment details - Cardholder: Caoimhe Brennan, Card number: 2720 5441 9909 6084, Billing city: Limerick",
  ("P", "Caoimhe Brennan"), ("C", "2720 5441 9909 6084"), ("L", "Limerick"))

# --- CSV / TSV ---
R("csv", "id,name,email,city\n1041,Mateus Carvalho,mateus.c@uol.com.br,Recife\n1042,Ayşe Yılmaz,ayse.yilmaz@mynet.com,Ankara",
  ("P", "Mateus Carvalho"), ("E", "mateus.c@uol.com.br"), ("L", "Recife"), ("P", "Ayşe Yılmaz"), ("E", "ayse.yilmaz@mynet.com"), ("L", "Ankara"))
R("csv", "employee\tssn\tstate\nRosalind Achterberg\t486-95-0800\tOhio\nDevontae Harris\t065-86-9995\tGeorgia",
  ("P", "Rosalind Achterberg"), ("S", "486-95-0800"), ("L", "Ohio"), ("P", "Devontae Harris"), ("S", "065-86-9995"), ("L", "Georgia"))
R("csv", "\"Kaczmarek, Zofia\",\"+48 22 628 41 90\",\"Warszawa\"",
  ("P", "Kaczmarek"), ("P", "Zofia"), ("T", "+48 22 628 41 90"), ("L", "Warszawa"))
R("csv", "order_id;customer;iban\n88213;Stefano Bellini;IT76Q2880396405129633033447\n88214;Ruth Abramovich;SE8522385380082106281973",
  ("P", "Stefano Bellini"), ("I", "IT76Q2880396405129633033447"), ("P", "Ruth Abramovich"), ("I", "SE8522385380082106281973"))
R("csv", "ip,user,ts\n192.168.40.17,u1093,2026-11-30T08:14Z\n2a02:810d:4b40:2ee8::1f,u1187,2026-11-30T08:15Z",
  ("IP", "192.168.40.17"), ("IP", "2a02:810d:4b40:2ee8::1f"))

# --- JSON pasted into prompts ---
R("json", "Fix this JSON for me: {\"name\": \"Chidi Okeke\", \"email\": \"chidi.okeke@proton.me\", \"city\": \"Port Harcourt\",}",
  ("P", "Chidi Okeke"), ("E", "chidi.okeke@proton.me"), ("L", "Port Harcourt"))
R("json", "Why does this fail validation? {\"user\": {\"first\": \"Elif\", \"last\": \"Şahin\", \"ssn\": \"049-65-9373\"}}",
  ("P", "Elif"), ("P", "Şahin"), ("S", "049-65-9373"))
R("json", "{\"customer\":\"Tomasz Wiśniewski\",\"card\":\"4816029197187466\",\"ip\":\"91.198.174.192\"} - is it safe to log this?",
  ("P", "Tomasz Wiśniewski"), ("C", "4816029197187466"), ("IP", "91.198.174.192"))
R("json", "Parse this: [{\"contact\": \"Aiyana Redcloud\", \"phone\": \"+1 605-555-0127\"}, {\"contact\": \"Sakura Ono\", \"phone\": \"+81 3-5412-7780\"}]",
  ("P", "Aiyana Redcloud"), ("T", "+1 605-555-0127"), ("P", "Sakura Ono"), ("T", "+81 3-5412-7780"))
R("json", "config = {\"webhook\": \"https://hooks.orbitdesk.net/v2/alerts?team=ops\", \"owner\": \"hamza.qadri@orbitdesk.net\"}",
  ("U", "https://hooks.orbitdesk.net/v2/alerts?team=ops"), ("E", "hamza.qadri@orbitdesk.net"))
R("json", "{\"payee\": \"Anneli Virtanen\", \"iban\": \"FI1656046850007426\", \"amount\": 420.00, \"currency\": \"EUR\"}",
  ("P", "Anneli Virtanen"), ("I", "FI1656046850007426"))

# --- log lines ---
R("log", "2026-11-29 23:14:07 WARN auth failed for user=svc_billing from 203.0.113.58 (attempt 3/5)",
  ("IP", "203.0.113.58"))
R("log", "INFO  [mailer] sent receipt to oluwatobi.ade@gmail.com (order 55120) via smtp relay 172.16.8.4",
  ("E", "oluwatobi.ade@gmail.com"), ("IP", "172.16.8.4"))
R("log", "GET https://shop.tallowandthyme.com/checkout?email=nadia.h%40gmail.com 200 312ms client=2001:0db8:85a3:0000:0000:8a2e:0370:7334",
  ("U", "https://shop.tallowandthyme.com/checkout?email=nadia.h%40gmail.com"), ("IP", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"))
R("log", "ERROR payment declined card=5168079650737126 holder=\"PRADEEP SUBRAMANIAM\" reason=insufficient_funds",
  ("C", "5168079650737126"), ("P", "PRADEEP SUBRAMANIAM"))
R("log", "sshd[2211]: Accepted publickey for deploy from 198.51.100.23 port 52144",
  ("IP", "198.51.100.23"))
R("log", "audit: user 'u4471' changed billing IBAN to NO1965608368878 from 10.0.12.77",
  ("I", "NO1965608368878"), ("IP", "10.0.12.77"))

# --- calendar invites ---
R("calendar", "Invitation: Contract review with Lindiwe Zulu and Graham Pettigrew @ Wed 10:00 - 11:00 (SAST). Location: Cape Town office, 4th floor.",
  ("P", "Lindiwe Zulu"), ("P", "Graham Pettigrew"), ("L", "Cape Town"))
R("calendar", "Join with Google Meet: https://meet.google.com/xqr-bnmt-kpd  Organizer: anjali.verma@sundarbay.in",
  ("U", "https://meet.google.com/xqr-bnmt-kpd"), ("E", "anjali.verma@sundarbay.in"))
R("calendar", "1:1 Mateo / Francesca - moved to Thursday because Francesca is flying back from Milan.",
  ("P", "Mateo"), ("P", "Francesca", 0), ("P", "Francesca", 1), ("L", "Milan"))
R("calendar", "Dentist - Dr. Khoury, 3:30pm. Dial-in if running late: +961 1 342 908.",
  ("P", "Khoury"), ("T", "+961 1 342 908"))

# --- delivery notes ---
R("delivery", "Deliver to: Pania Walker, 22 Totara Ave, Hamilton. Leave with neighbour Bruce if not home. Ph 021 455 820.",
  ("P", "Pania Walker"), ("L", "Hamilton"), ("P", "Bruce"), ("T", "021 455 820"))
R("delivery", "Courier note: recipient Ikechukwu Obi refused the parcel, returning to depot in Warrington.",
  ("P", "Ikechukwu Obi"), ("L", "Warrington"))
R("delivery", "pls ring the bell twice, ask for Marisol, 3rd floor. tel 612 908 114",
  ("P", "Marisol"), ("T", "612 908 114"))
R("delivery", "Signed for by: J. Okafor-Reid. Delivered 14:22, Swindon depot.",
  ("P", "J. Okafor-Reid"), ("L", "Swindon"))

# --- job applications ---
R("job_application", "Dear Hiring Manager, my name is Shreya Bhattacharya and I am applying for the Data Analyst role in your Kolkata office. My portfolio is at https://shreyab.github.io/portfolio.",
  ("P", "Shreya Bhattacharya"), ("L", "Kolkata"), ("U", "https://shreyab.github.io/portfolio"))
R("job_application", "CV - Mikael Åkesson\nMalmö, Sweden\nmikael.akesson@hotmail.se | +46 70 412 88 03\nLinkedIn: https://www.linkedin.com/in/mikael-akesson-dev",
  ("P", "Mikael Åkesson"), ("L", "Malmö"), ("L", "Sweden"), ("E", "mikael.akesson@hotmail.se"), ("T", "+46 70 412 88 03"), ("U", "https://www.linkedin.com/in/mikael-akesson-dev"))
R("job_application", "I previously worked under Chef Ramón Iturbe in San Sebastián and then at a bistro in Lyon run by Claire Vasseur.",
  ("P", "Ramón Iturbe"), ("L", "San Sebastián"), ("L", "Lyon"), ("P", "Claire Vasseur"))
R("job_application", "Referees: 1) Prof. Abimbola Fashola, Lagos; 2) Mr. Desmond Tuilagi, Apia.",
  ("P", "Abimbola Fashola"), ("L", "Lagos"), ("P", "Desmond Tuilagi"), ("L", "Apia"))

# --- reference letters ---
R("reference", "To whom it may concern: I have known Ms. Yasmin Benali for six years as her supervisor in Algiers. She is diligent and kind.",
  ("P", "Yasmin Benali"), ("L", "Algiers"))
R("reference", "It is my pleasure to recommend Dorjee Tsering, who volunteered with our clinic in Kathmandu. Please contact me at pemba.sherpa@himalcare.org.np.",
  ("P", "Dorjee Tsering"), ("L", "Kathmandu"), ("E", "pemba.sherpa@himalcare.org.np"))
R("reference", "Sincerely,\nRev. Dr. Augustine Nyerere-Mwale\nDar es Salaam, Tanzania",
  ("P", "Augustine Nyerere-Mwale"), ("L", "Dar es Salaam"), ("L", "Tanzania"))
R("reference", "Callum worked on my farm near Ballarat for two summers. Callum's work ethic is excellent. - Bev Hargreaves",
  ("P", "Callum", 0), ("P", "Callum", 1), ("L", "Ballarat"), ("P", "Bev Hargreaves"))
# --- more mixed production text ---
R("banking", "Hi, I'm Mathilde Peeters from Ghent. Could you confirm whether BE54334502378610 is the right account for the deposit on the flat?",
  ("P", "Mathilde Peeters"), ("L", "Ghent"), ("I", "BE54334502378610"))
R("banking", "Salary account (Zürich): CH12 7677 0992 7121 9549 3, holder Reto Brunner-Aebi.",
  ("L", "Zürich"), ("I", "CH12 7677 0992 7121 9549 3"), ("P", "Reto Brunner-Aebi"))
R("banking", "can u send the 200 to siobhan? IE08AIBK76041348459822 - she's back in dublin now",
  ("P", "siobhan"), ("I", "IE08AIBK76041348459822"), ("L", "dublin"))
R("banking", "Beneficiário: João Batista Moura\nIBAN: PT55876673693838622773093\nMorada: Porto, Portugal",
  ("P", "João Batista Moura"), ("I", "PT55876673693838622773093"), ("L", "Porto"), ("L", "Portugal"))
R("banking", "Direct debit mandate signed by Eleanor Whitcombe for account GB14 BARC 5227 6032 3271 83.",
  ("P", "Eleanor Whitcombe"), ("I", "GB14 BARC 5227 6032 3271 83"))
R("banking", "Transfer to LU46 4632 7887 7735 1505 failed: beneficiary name 'Pol Schmit' does not match records.",
  ("I", "LU46 4632 7887 7735 1505"), ("P", "Pol Schmit"))
R("banking", "Andrei Munteanu asked us to refund him to RO47BTRL3948823920862286, not to the card.",
  ("P", "Andrei Munteanu"), ("I", "RO47BTRL3948823920862286"))
R("banking", "Wire details for the Jeddah supplier: SA24 4463 0114 9307 4858 5892 26, attention Faisal Al-Ghamdi.",
  ("L", "Jeddah"), ("I", "SA24 4463 0114 9307 4858 5892 26"), ("P", "Faisal Al-Ghamdi"))
R("banking", "Card 4138 7897 5001 6177 reported stolen by cardholder Priscila Nunes on 2 Dec at 22:40.",
  ("C", "4138 7897 5001 6177"), ("P", "Priscila Nunes"))
R("banking", "my discover card 6529406219737085 keeps getting flagged when i shop online, this is the 4th time ugh",
  ("C", "6529406219737085"))
R("support", "Customer Leandro Batista gave card 2345 2063 3529 9668 over chat - agent should have masked it. Flagging for PCI review.",
  ("P", "Leandro Batista"), ("C", "2345 2063 3529 9668"))
R("support", "Please charge the annual plan to my Mastercard 5421-0790-2560-9763. Name on card: Hyun-woo Lee.",
  ("C", "5421-0790-2560-9763"), ("P", "Hyun-woo Lee"))
R("travel", "Hotel guarantee: AMEX 370255488651185, guest Mrs. Folasade Ogunleye, 2 nights, Abidjan.",
  ("C", "370255488651185"), ("P", "Folasade Ogunleye"), ("L", "Abidjan"))
R("travel", "Corporate card 3767 687895 46296 used for the taxi from the airport to central Amsterdam; traveller Joost de Vries.",
  ("C", "3767 687895 46296"), ("L", "Amsterdam"), ("P", "Joost de Vries"))
R("chatbot", "I entered my Discover card 6445 3324 0358 3906 on a site that looked like my bank's. Sara (my wife) says I should cancel it now. Should I?",
  ("C", "6445 3324 0358 3906"), ("P", "Sara"))
R("form", "Card number: 4174410224999287 | Name on card: ABEBA TESFAYE | Billing ZIP: 20009",
  ("C", "4174410224999287"), ("P", "ABEBA TESFAYE"))
R("log", "checkout failed: luhn ok, card=4967107455534566, bin_ok=true, client_ip=81.2.69.142",
  ("C", "4967107455534566"), ("IP", "81.2.69.142"))
R("email", "Hi Giorgos, the deposit is on my Mastercard 5245 3331 4789 3282; can you confirm the booking for Santorini? Thanks, Paulina",
  ("P", "Giorgos"), ("C", "5245 3331 4789 3282"), ("L", "Santorini"), ("P", "Paulina"))
R("sms", "card for the gas bill is 4804072386255110 exp 11/28 dont lose it again marcus 😤",
  ("C", "4804072386255110"), ("P", "marcus"))
R("crm", "Payment method on file for Ottoline Fairbanks: Amex 348487333113876, Discover 6011981135119712 (backup).",
  ("P", "Ottoline Fairbanks"), ("C", "348487333113876"), ("C", "6011981135119712"))
R("hr", "I-9 check: employee Tavish Rao, SSN 474-92-6696, start date 4 January.",
  ("P", "Tavish Rao"), ("S", "474-92-6696"))
R("government", "my ssn is 322 77 6718 and the irs letter says it doesnt match my name, which is ruby dawson",
  ("S", "322 77 6718"), ("P", "ruby dawson"))
R("medical", "Patient Mohammed Al-Farsi, SSN 696-39-6029, allergy to penicillin, next of kin Huda Al-Farsi.",
  ("P", "Mohammed Al-Farsi"), ("S", "696-39-6029"), ("P", "Huda Al-Farsi"))
R("insurance", "Claimant SSN: 621-85-3671. Claimant name: Jolene Beauchamp. Incident location: Baton Rouge.",
  ("S", "621-85-3671"), ("P", "Jolene Beauchamp"), ("L", "Baton Rouge"))
R("csv", "first,last,ssn,dob\nKeanu,Kealoha,560-59-1722,1988-02-14\nMarisela,Trujillo,024-80-8446,1979-09-30",
  ("P", "Keanu"), ("P", "Kealoha"), ("S", "560-59-1722"), ("P", "Marisela"), ("P", "Trujillo"), ("S", "024-80-8446"))
R("legal", "Defendant: Raymond Two Bulls, SSN 892-08-1914, residing in Pine Ridge, South Dakota.",
  ("P", "Raymond Two Bulls"), ("S", "892-08-1914"), ("L", "Pine Ridge"), ("L", "South Dakota"))
R("json", "{\"applicant\": \"Olena Kovalenko\", \"ssn\": \"073681535\", \"plan\": \"gold\"}",
  ("P", "Olena Kovalenko"), ("S", "073681535"))
R("support", "Tax form error: the 1099 for Bertrand Okoro shows SSN 409-30-7066 but he says his is different. Please check with him before re-issuing.",
  ("P", "Bertrand Okoro"), ("S", "409-30-7066"))
R("chatbot", "Is it safe to give my SSN (087-42-7180) to a landlord in Denver? My friend Chloé says it's normal.",
  ("S", "087-42-7180"), ("L", "Denver"), ("P", "Chloé"))
R("form", "SSN: 788-92-7452\nName: Tupac Huamán Condori\nAddress: 18 Cedar Lane, Santa Fe, New Mexico",
  ("S", "788-92-7452"), ("P", "Tupac Huamán Condori"), ("L", "Santa Fe"), ("L", "New Mexico"))
R("hr", "Background check requested for Agnieszka Nowak-Ruiz, SSN 808-66-7128. Recruiter: Dwayne Ellis.",
  ("P", "Agnieszka Nowak-Ruiz"), ("S", "808-66-7128"), ("P", "Dwayne Ellis"))

# --- IPs and URLs ---
R("log", "nginx: 64.233.160.12 - - [01/Dec/2026:07:01:22] \"GET /api/orders HTTP/1.1\" 200 5120",
  ("IP", "64.233.160.12"))
R("log", "fail2ban: Ban 45.146.164.110 after 6 failures; whitelist 192.0.2.44",
  ("IP", "45.146.164.110"), ("IP", "192.0.2.44"))
R("log", "vpn: session opened for tkobayashi@hanamura-corp.jp from fe80::1c2b:3dff:fe4a:91e0 via gateway 100.64.12.9",
  ("E", "tkobayashi@hanamura-corp.jp"), ("IP", "fe80::1c2b:3dff:fe4a:91e0"), ("IP", "100.64.12.9"))
R("support", "Customer in Kigali says our CDN node 2606:4700:3033::6815:1a2b is timing out. Traceroute attached by Aline Uwase.",
  ("L", "Kigali"), ("IP", "2606:4700:3033::6815:1a2b"), ("P", "Aline Uwase"))
R("chatbot", "my home server is on 86.12.240.3 and my brother Tariq keeps port scanning it for fun, how do i block him",
  ("IP", "86.12.240.3"), ("P", "Tariq"))
R("forum", "Minecraft server is back up at 51.77.88.201:25565, thanks to Jakub for fixing it!",
  ("IP", "51.77.88.201"), ("P", "Jakub"))
R("log", "DNS resolver changed to 1.1.1.1 and 2001:4860:4860::8888 by admin account ops-7",
  ("IP", "1.1.1.1"), ("IP", "2001:4860:4860::8888"))
R("support", "Reset link: https://accounts.velomart.shop/reset/7f3c9a?user=ewa.krol - please use it within 24h, Ewa.",
  ("U", "https://accounts.velomart.shop/reset/7f3c9a?user=ewa.krol"), ("P", "Ewa"))
R("forum", "Photos from Ama's wedding in Cape Coast are up: http://photos.kwesiandama.com/gallery/2026",
  ("P", "Ama", 0), ("L", "Cape Coast"), ("U", "http://photos.kwesiandama.com/gallery/2026"))
R("email", "Dear Isaiah, please complete the onboarding at https://onboarding.fernhillclinic.org/start?ref=IH221 before Monday. Regards, Mbali",
  ("P", "Isaiah"), ("U", "https://onboarding.fernhillclinic.org/start?ref=IH221"), ("P", "Mbali"))
R("chatbot", "Summarise this article for my professor, Dr. Okwuosa: www.lagosreview.ng/2026/11/housing-crisis",
  ("P", "Okwuosa"), ("U", "www.lagosreview.ng/2026/11/housing-crisis"))
R("real_estate", "Floor plans for the Nairobi apartment are at https://drive.google.com/file/d/1aB9xQ7mPz/view - shared by Wambui.",
  ("L", "Nairobi"), ("U", "https://drive.google.com/file/d/1aB9xQ7mPz/view"), ("P", "Wambui"))
R("school", "Mrs Haddad's class blog: https://blogs.cedarvale-primary.sch.uk/class-5h - photos of the Paris trip.",
  ("P", "Haddad"), ("U", "https://blogs.cedarvale-primary.sch.uk/class-5h"), ("L", "Paris"))
R("sms", "hey its lucas, my portfolio is finally live!! lucasferrazphoto.com 📸 share pls",
  ("P", "lucas", 0), ("U", "lucasferrazphoto.com"))
R("government", "Apply for the permit online at https://www.gov-services.example.org/permits/apply?lang=en or visit the office in Windhoek.",
  ("U", "https://www.gov-services.example.org/permits/apply?lang=en"), ("L", "Windhoek"))
R("calendar", "Webinar with Dr. Amaru Mamani - register at https://events.andeanhealth.pe/webinar/112 (Lima time).",
  ("P", "Amaru Mamani"), ("U", "https://events.andeanhealth.pe/webinar/112"), ("L", "Lima"))
R("job_application", "Hi, I'm Mei Tanaka. My GitHub is https://github.com/meitanaka-dev and I'd love to join the Osaka team.",
  ("P", "Mei Tanaka"), ("U", "https://github.com/meitanaka-dev"), ("L", "Osaka"))
R("chat", "Agent: Could you send a screenshot?\nRosalía: sure, here https://imgur.com/a/Xk29pLm\nAgent: thanks Rosalía!",
  ("P", "Rosalía", 0), ("U", "https://imgur.com/a/Xk29pLm"), ("P", "Rosalía", 1))
R("support", "Unsubscribe request via https://mail.brightcart.io/unsub?e=samira.benali%40gmail.com from Samira.",
  ("U", "https://mail.brightcart.io/unsub?e=samira.benali%40gmail.com"), ("P", "Samira"))

# --- more e-mails, phones, sloppy chat ---
R("email", "From: \"Nasrin Karimi\" <n.karimi@tabriz-textiles.ir>\nCc: kaveh@tabriz-textiles.ir\nSubject: Re: samples",
  ("P", "Nasrin Karimi"), ("E", "n.karimi@tabriz-textiles.ir"), ("E", "kaveh@tabriz-textiles.ir"))
R("email", "Thanks!\nTeresa\n\nTeresa Gonçalves\nteresa.goncalves@ribeira-ad.pt\n+351 912 448 017",
  ("P", "Teresa", 0), ("P", "Teresa Gonçalves"), ("E", "teresa.goncalves@ribeira-ad.pt"), ("T", "+351 912 448 017"))
R("support", "Please reply to my other address, kwame.owusu.work@outlook.com, the old one is full. - Kwame",
  ("E", "kwame.owusu.work@outlook.com"), ("P", "Kwame"))
R("sms", "this is tamar, email me at tamar.levi88@walla.co.il for the photos",
  ("P", "tamar", 0), ("E", "tamar.levi88@walla.co.il"))
R("chat", "user123: anyone know dmitriy from the kazan office? \nuser456: yeah dmitriy sokolov, he moved to minsk",
  ("P", "dmitriy", 0), ("L", "kazan"), ("P", "dmitriy sokolov"), ("L", "minsk"))
R("sms", "omg tell abuela that tio ricardo is coming from guadalajara tmrw 😂",
  ("P", "ricardo"), ("L", "guadalajara"))
R("chatbot", "write a text to my friend aigerim saying sorry i missed her party in astana",
  ("P", "aigerim"), ("L", "astana"))
R("sms", "Call me back pls, 0803 555 2214. Tunde",
  ("T", "0803 555 2214"), ("P", "Tunde"))
R("support", "Caller ID showed +33 6 12 48 90 77; customer identified herself as Solène Mercier from Nantes.",
  ("T", "+33 6 12 48 90 77"), ("P", "Solène Mercier"), ("L", "Nantes"))
R("crm", "Contact: Pita Sharples-Horomona, mob 027 441 9082, Tauranga. Prefers texts.",
  ("P", "Pita Sharples-Horomona"), ("T", "027 441 9082"), ("L", "Tauranga"))
R("travel", "Hostel in Chiang Mai confirmed for Anong Srisuk. Front desk: +66 53 271 884.",
  ("L", "Chiang Mai"), ("P", "Anong Srisuk"), ("T", "+66 53 271 884"))
R("medical", "Pharmacy called about the prescription for Lwazi Mthembu; please ring them on 021 794 2210.",
  ("P", "Lwazi Mthembu"), ("T", "021 794 2210"))
R("forum", "thx to bilal and his cousin hamza from karachi for the recipe, biryani turned out amazing",
  ("P", "bilal"), ("P", "hamza"), ("L", "karachi"))
R("minutes", "Present: D. Oyeyemi, R. Castellanos, M. Fitzgerald-Hale. Minutes approved as read.",
  ("P", "D. Oyeyemi"), ("P", "R. Castellanos"), ("P", "M. Fitzgerald-Hale"))
R("reference", "I worked alongside Nikolai Petrov-Vodkin at the Saint Petersburg lab; Nikolai's contributions to our imaging work were outstanding. — Prof. Ljudmila Horvat, Zagreb",
  ("P", "Nikolai Petrov-Vodkin"), ("L", "Saint Petersburg"), ("P", "Nikolai", 1), ("P", "Ljudmila Horvat"), ("L", "Zagreb"))
R("email", "Hi Mx. Okoye, your appointment with Dr Van Heerden is confirmed for 3 pm. Questions? Email reception@sandtonsmiles.co.za.",
  ("P", "Okoye"), ("P", "Van Heerden"), ("E", "reception@sandtonsmiles.co.za"))
R("chat", "Customer: hi i ordered for my mum Lalita but put my address in Pune by mistake\nAgent (Imran): no problem, what's her address?",
  ("P", "Lalita"), ("L", "Pune"), ("P", "Imran"))
R("delivery", "Returned to sender: addressee Siaosi Lemalu unknown at 7 Vailima Rd, Apia, Samoa.",
  ("P", "Siaosi Lemalu"), ("L", "Apia"), ("L", "Samoa"))
R("sms", "nomsa said shes running late, start without her 🙄",
  ("P", "nomsa"))
R("chat", "[21:14] kai: who's bringing the speaker\n[21:15] priscilla: ask tomasz lol he always has it",
  ("P", "kai"), ("P", "priscilla"), ("P", "tomasz"))
R("sms", "yo its jun-ho, landed in busan finally, call u tmrw",
  ("P", "jun-ho"), ("L", "busan"))
R("forum", "shoutout to my physio alejandra in valencia she fixed my knee in 4 sessions!!",
  ("P", "alejandra"), ("L", "valencia"))
R("chatbot", "can u help me write a sorry message to my gf, her name is oyindamola and i forgot our anniversary 😭",
  ("P", "oyindamola"))
# --- negatives: look-alikes, no PII ---
R("negative_chatbot", "Compare the Tesla Model 3 with the Ford Mustang Mach-E for a family of four.")
R("negative_chatbot", "Explain Parkinson's disease and Alzheimer's disease in simple terms for a school project.")
R("negative_chatbot", "What's the difference between the Kelvin and Fahrenheit scales, and why does Celsius use 100 degrees?")
R("negative_chatbot", "Summarise the plot of Pride and Prejudice without spoilers about Mr. Darcy's letter.")
R("negative_chatbot", "Write a short story where Sherlock Holmes meets Hercule Poirot on a train.")
R("negative_chatbot", "How does Dijkstra's algorithm differ from the Bellman-Ford algorithm for shortest paths?")
R("negative_chatbot", "Is a McDonald's Big Mac healthier than a Wendy's Baconator? Give calories.")
R("negative_chatbot", "Give me a workout plan. I'm 34, I weigh 82 kg and I can train 3 times a week.")
R("negative_chatbot", "Explain Newton's laws and Ohm's law with one example each.")
R("negative_chatbot", "What are the side effects of ibuprofen compared with paracetamol and Tylenol?")
R("negative_support", "Order #40291-B shipped on 2026-11-28. Expected delivery between 3 and 5 December.")
R("negative_support", "Your Dell XPS 15 warranty expires on 14/03/2027. Extended cover costs $129.99.")
R("negative_support", "Please update to version 4.12.3 of the app; build 20261201.2 fixes the crash on Android 14.")
R("negative_support", "The Philips Hue bridge must be on firmware 1.65.0 before pairing new bulbs.")
R("negative_support", "Ticket closed: duplicate of #88120. Root cause was a timeout in the Jenkins pipeline.")
R("negative_support", "We have refunded $45.00 to the original payment method. Allow 5-10 business days.")
R("negative_support", "Your Johnson & Johnson order of Band-Aid strips (SKU 381371-17) is on backorder.")
R("negative_support", "Error code 0x80070005 means access denied. Run the installer as administrator.")
R("negative_email", "Subject: Q4 results\n\nRevenue grew 12% year on year. The Morgan Stanley note is attached for reference.")
R("negative_email", "Reminder: the office will be closed on Christmas Day and Boxing Day. Happy holidays from all of us!")
R("negative_email", "Please find attached invoice INV-2026-0418 for 3 x Herman Miller Aeron chairs, total €3,870.")
R("negative_email", "The Nobel Prize lecture will be streamed live at 16:00 CET. Seats in the main hall are limited.")
R("negative_email", "Our Black Friday sale ends Monday: 30% off all Levi's jeans and Ray-Ban sunglasses.")
R("negative_medical", "Common symptoms of Crohn's disease include abdominal pain, diarrhoea and fatigue.")
R("negative_medical", "Take 500 mg of amoxicillin three times a day for 7 days. Do not combine with methotrexate.")
R("negative_medical", "The Glasgow Coma Scale score was 14 on arrival; Apgar scores for the newborn were 8 and 9.")
R("negative_medical", "Is Hashimoto's thyroiditis the same as Graves' disease? Both affect the thyroid.")
R("negative_medical", "Down syndrome screening is offered between 10 and 14 weeks of pregnancy.")
R("negative_medical", "Blood pressure 128/84, pulse 72, BMI 24.6. Next review in 6 months.")
R("negative_legal", "Under the Sarbanes-Oxley Act, public companies must maintain internal controls over financial reporting.")
R("negative_legal", "The Miranda warning must be read before a custodial interrogation.")
R("negative_legal", "Section 21 notices now require a minimum of two months' notice. Case ref 2026/CV/00412.")
R("negative_legal", "Does the Equal Pay Act of 1963 still apply to contractors paid by the hour?")
R("negative_hr", "Annual leave entitlement is 25 days plus bank holidays, rising to 28 after five years of service.")
R("negative_hr", "The Myers-Briggs test is not used in our hiring process. We use structured interviews instead.")
R("negative_hr", "Payroll run 2026-12 completed: 412 employees, total gross $2,184,550.17.")
R("negative_travel", "Flight BA0117 departs at 08:25 from Terminal 5, gate B42. Boarding closes 20 minutes before.")
R("negative_travel", "The Hilton and the Marriott both offer free cancellation up to 48 hours before arrival.")
R("negative_travel", "Seat 14C, economy, 1 checked bag of 23 kg included. Booking class Y.")
R("negative_banking", "The Dow Jones closed up 1.2% while the Nasdaq fell 0.4%. Bitcoin traded at $91,204.")
R("negative_banking", "Your statement for November is ready. Balance: £1,204.55. Minimum payment: £25.00.")
R("negative_banking", "Interest rate on the Goldman Sachs Marcus savings account rose to 4.35% AER.")
R("negative_banking", "Transaction ID 7G3K-99QX-2201 at 14:02 for $18.40 at Starbucks.")
R("negative_insurance", "Policy POL-5521-883 renews on 1 February 2027. Premium: $1,112 per year, excess $250.")
R("negative_insurance", "Our Lloyd's syndicate covers marine cargo up to 5 million dollars per shipment.")
R("negative_school", "Year 9 will read Romeo and Juliet and Of Mice and Men this term, then Macbeth in spring.")
R("negative_school", "Maths homework: use Pythagoras' theorem and the Fibonacci sequence to solve questions 4-12.")
R("negative_school", "The Fulbright application deadline is 15 October. Essays must be under 1,000 words.")
R("negative_school", "Science fair projects on Mendel's peas and Pavlov's dog are already taken.")
R("negative_real_estate", "3-bed semi, 1,240 sq ft, EPC rating C, asking price £349,950. Chain free.")
R("negative_real_estate", "Victorian terrace with Georgian-style sash windows and an Aga in the kitchen.")
R("negative_government", "Form W-2 and Form 1099-NEC must be filed by January 31. Penalties apply after that date.")
R("negative_government", "The Marshall Plan and the Truman Doctrine are both covered in the citizenship test study guide.")
R("negative_forum", "Just finished Harry Potter and the Goblet of Fire. Hermione is the real hero, fight me.")
R("negative_forum", "Manchester United vs Real Madrid tonight, who's watching? 🍿 I think the Lakers game is on too.")
R("negative_forum", "Has anyone tried the new Ben & Jerry's flavour? Tastes like Oreo with caramel.")
R("negative_forum", "Best Radiohead album? I say OK Computer, but In Rainbows is close.")
R("negative_forum", "My Raspberry Pi 5 runs Debian 12 fine but the Linux kernel 6.6 build takes forever.")
R("negative_forum", "Watching Darth Vader's entrance again. Star Wars never gets old. May the Force be with you.")
R("negative_minutes", "Item 4: Budget for Q1 approved (12 votes for, 1 abstention). Next meeting 14 January, 10:00.")
R("negative_minutes", "Action: Marketing to finalise the Gantt chart and the Pareto analysis by Friday.")
R("negative_crm", "Deal stage moved to Negotiation. Value: $48,000 ARR. Close date: 2027-03-31.")
R("negative_crm", "Account: Wells Fargo. Products: Salesforce CRM, Tableau dashboards. Renewal due June.")
R("negative_chat", "Bot: Hello! I'm Alexa-compatible. Say 'Hey Google' or 'Siri' to start.\nUser: ok thanks")
R("negative_chat", "A: did u watch Oppenheimer?\nB: yes!! better than Barbie imo")
R("negative_sms", "Your verification code is 482913. It expires in 10 minutes. Do not share it.")
R("negative_sms", "lol the dominos guy gave us 2 extra pizzas 🍕🍕 best friday ever")
R("negative_sms", "Your parcel 1Z999AA10123456784 is out for delivery. Track it in the app.")
R("negative_form", "Quantity: 3\nUnit price: 19.99\nDiscount code: WINTER25\nTotal: 44.98")
R("negative_csv", "sku,product,price\nA-1001,Gillette Mach3,12.99\nA-1002,Colgate Total,3.49\nA-1003,Hellmann's Mayo,4.25")
R("negative_json", "{\"model\": \"gpt-4o\", \"temperature\": 0.2, \"max_tokens\": 1024, \"version\": \"2024-08-06\"}")
R("negative_json", "{\"team\": \"Boston Celtics\", \"wins\": 52, \"losses\": 30, \"coach_title\": \"Head Coach\"}")
R("negative_log", "2026-12-01 10:22:31 INFO worker-3 processed batch 8812 in 1.42s (queue depth 17)")
R("negative_log", "WARN deprecated call to Pandas DataFrame.append; use pd.concat (pandas 2.2.3, numpy 1.26.4)")
R("negative_log", "build #4471 passed: pytest 8.3.4, coverage 91.2%, wheel workbench-0.9.1-py3-none-any.whl")
R("negative_calendar", "Sprint planning, Monday 09:30-10:30, Room Ada Lovelace (3rd floor). Agenda: backlog grooming.")
R("negative_calendar", "Holiday: Martin Luther King Jr. Day, office closed. Reminder set 1 day before.")
R("negative_delivery", "Parcel weight 2.4 kg, dimensions 30x20x15 cm. Service: Next Day, signature required.")
R("negative_job", "Requirements: 3+ years Python, experience with Kafka, Kubernetes and Hadoop; AWS certification a plus.")
R("negative_job", "Position: Senior Accountant (Grade 7). Salary band £52,000-£58,000. Closing date 10 January.")


def build():
    out = []
    for n, (kind, text, ents) in enumerate(ROWS, 1):
        rid = f"k{n:04d}"
        spans = []
        for ent in ents:
            code, value = ent[0], ent[1]
            occ = ent[2] if len(ent) > 2 else None
            starts = []
            i = text.find(value)
            while i != -1:
                starts.append(i)
                i = text.find(value, i + 1)
            if occ is None:
                if len(starts) != 1:
                    sys.exit(f"{rid}: value {value!r} found {len(starts)} times in text; give an occurrence index")
                start = starts[0]
            else:
                if occ >= len(starts):
                    sys.exit(f"{rid}: occurrence {occ} of {value!r} not in text ({len(starts)} found)")
                start = starts[occ]
            if code not in TYPES:
                sys.exit(f"{rid}: unknown entity code {code!r}")
            spans.append({"type": TYPES[code], "start": start, "end": start + len(value), "value": value})
        spans.sort(key=lambda e: (e["start"], e["end"]))
        for a, b in zip(spans, spans[1:]):
            if b["start"] < a["end"]:
                sys.exit(f"{rid}: overlapping entities {a['value']!r} and {b['value']!r}")
        if kind.startswith("negative_") and spans:
            sys.exit(f"{rid}: negative row has entities")
        out.append({"id": rid, "kind": kind, "split": "fresh4", "text": text, "entities": spans})
    return out


def render():
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in build())


if __name__ == "__main__":
    target = Path(__file__).with_name("pii_fresh4.jsonl")
    data = render()
    tmp = target.with_suffix(".jsonl.tmp")
    tmp.write_text(data, encoding="utf-8")
    tmp.replace(target)
    print(f"wrote {target} ({data.count(chr(10))} rows)")
