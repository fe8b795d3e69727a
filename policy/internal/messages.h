// messages.h (internal): every plain-language message the policy can give, in
// Dutch and English, as static strings so a decision never formats text on
// the hot path (a failure may append one detail, such as a category name).
// Not part of the public API.
#ifndef WAMS_POLICY_INTERNAL_MESSAGES_H_
#define WAMS_POLICY_INTERNAL_MESSAGES_H_

#include "absl/strings/string_view.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::policy::internal {

// X(name, Dutch, English)
#define WAMS_POLICY_MESSAGES(X)                                                                     \
  /* R01 */                                                                                         \
  X(kR01Ok, "De hulpvraag valt onder een of meer wetten in het sociaal domein.",                    \
    "Help is asked under one or more social-domain laws.")                                          \
  X(kR01NoLaw,                                                                                      \
    "Geen wet in het sociaal domein genoemd: hulp wordt gevraagd onder de Wmo 2015, de Jeugdwet, "  \
    "de Participatiewet of de Wgs.",                                                                \
    "No social-domain law given: help is asked under the Wmo 2015, the Jeugdwet, the "              \
    "Participatiewet or the Wgs.")                                                                  \
  /* R02 */                                                                                         \
  X(kR02ClientCase, "De casus is op verzoek van de cliënt gestart; R02 is niet van toepassing.",    \
    "The case started on the client's own request; R02 does not apply.")                            \
  X(kR02NotAccepted,                                                                                \
    "De gemeente heeft het verzoek van de professional niet aanvaard; er mag geen onderzoek "       \
    "plaatsvinden.",                                                                                \
    "The municipality has not accepted the professional request; no research may take place.")      \
  X(kR02ClientNotInformed,                                                                          \
    "De cliënt is nog niet geïnformeerd over het onderzoek; informeer de cliënt voordat u "      \
    "gegevens opvraagt.",                                                                           \
    "The client has not been informed of the investigation; inform the client before "              \
    "requesting data.")                                                                             \
  X(kR02Ok, "Het verzoek van de professional is aanvaard en de cliënt is geïnformeerd.",            \
    "The professional request was accepted and the client was informed.")                           \
  X(kR02GroundsOk, "Het verzoek noemt grond (c) en grond (a) of (b), met redenen.",                 \
    "The request states ground (c) and ground (a) or (b), with reasons.")                           \
  X(kR02GroundsNoC,                                                                                 \
    "Het verzoek moet vermelden dat een gecoördineerde aanpak naar verwachting helpt (grond c).",   \
    "The request must state that a coordinated approach is expected to help (ground c).")           \
  X(kR02GroundsNoAOrB,                                                                              \
    "Het verzoek moet grond (a) aanhoudende meervoudige problematiek of (b) overlast of gevaar "    \
    "noemen.",                                                                                      \
    "The request must state ground (a) persistent multiple problems or (b) nuisance or danger.")    \
  X(kR02GroundsNoReasons, "Het verzoek moet met redenen zijn omkleed.",                             \
    "The request must give the professional's reasons.")                                            \
  X(kR02AwaitsDecision, "De casus wacht op een besluit over het verzoek van de professional.",      \
    "The case awaits a decision on the professional request.")                                      \
  X(kR02NotAwaitingDecision,                                                                        \
    "Over deze casus valt geen verzoek van een professional (meer) te besluiten.",                  \
    "This case has no professional request (any longer) awaiting a decision.")                      \
  /* R04 */                                                                                         \
  X(kR04NoCase, "Geen casus of geen bekende partij; zie R09 en R27.",                               \
    "No case or no known party; see R09 and R27.")                                                  \
  X(kR04Excluded, "De cliënt heeft dit domein uitgesloten van het onderzoek",                       \
    "The client excluded this domain from the research")                                            \
  X(kR04NotInScope, "Dit domein hoort niet bij wat de cliënt in het onderzoek wil betrekken",       \
    "This domain is not among those the client wants included")                                     \
  X(kR04InScope, "Het domein valt binnen de keuze van de cliënt en is niet uitgesloten.",           \
    "The domain is within the client's chosen scope and not excluded.")                             \
  X(kR04SocialDomain,                                                                               \
    "Het sociaal domein valt binnen de hulpvraag van de cliënt en is niet uitgesloten.",            \
    "The social domain is within the client's request for help and not excluded.")                  \
  X(kR04ProfessionalCase,                                                                           \
    "Casus op verzoek van een professional; de cliënt heeft dit domein niet uitgesloten.",          \
    "Case on a professional request; the client has not excluded this domain.")                     \
  /* R06 */                                                                                         \
  X(kR06NoCategories,                                                                               \
    "Het verzoek noemt geen gegevenscategorieën; benoem per stap welke gegevens nodig zijn.",       \
    "The request names no data categories; name the data needed at this step.")                     \
  X(kR06EmptyCategory, "Een genoemde gegevenscategorie is leeg.",                                   \
    "A named data category is empty.")                                                              \
  X(kR06Wildcard, "Een verzoek om 'alles' is niet toegestaan; noem specifieke categorieën",         \
    "A request for 'everything' is not allowed; name specific categories")                          \
  X(kR06Duplicate, "Een categorie is dubbel genoemd", "A category is named twice")                  \
  X(kR06NotOfferedByTarget, "De gevraagde partij levert deze categorie niet",                       \
    "The party asked does not offer this category")                                                 \
  X(kR06NoItemCategories, "Het item noemt geen gegevenscategorieën.",                               \
    "The item names no data categories.")                                                           \
  X(kR06SupplierOffers, "De aanbieder biedt elke genoemde categorie aan.",                          \
    "The supplier offers every category named.")                                                    \
  X(kR06NotOfferedBySupplier, "De aanbieder biedt deze categorie niet aan",                         \
    "The supplier does not offer this category")                                                    \
  X(kR06NotOfferedByRequester, "De gemeente biedt deze categorie niet aan om te delen",             \
    "The municipality does not offer this category for sharing")                                    \
  X(kR06NoJustification,                                                                            \
    "De onderbouwing ontbreekt: waarom zijn deze gegevens bij deze stap nodig?",                    \
    "The justification is missing: why are these data needed at this step?")                        \
  X(kR06Ok, "Specifieke categorieën genoemd die de partij levert, met onderbouwing.",               \
    "Specific categories named that the party offers, with a justification.")                       \
  /* R07 */                                                                                         \
  X(kR07Ok, "Het doel is toegestaan (onderzoek, coördinatie of casusoverleg).",                     \
    "The purpose is allowed (research, coordination or case conference).")                          \
  X(kR07NotAllowed, "Het doel is geen onderzoek, coördinatie of casusoverleg.",                     \
    "The purpose is not research, coordination or a case conference.")                              \
  X(kR07Unspecified, "Er is geen (bekend) doel opgegeven.", "No (known) purpose was given.")        \
  /* R08 */                                                                                         \
  X(kR08Ok, "Geen verboden doel.", "Not a forbidden purpose.")                                      \
  X(kR08Investigation,                                                                              \
    "De Wams biedt geen grondslag voor opsporing; zo'n verzoek wordt altijd geweigerd.",            \
    "The Wams gives no ground for criminal investigation; such a request is always refused.")       \
  X(kR08Fraud,                                                                                      \
    "De Wams biedt geen grondslag voor het bestrijden van oneigenlijk gebruik; zo'n verzoek "       \
    "wordt altijd geweigerd.",                                                                      \
    "The Wams gives no ground for fighting misuse or fraud; such a request is always refused.")     \
  /* R09 */                                                                                         \
  X(kR09NoCase, "Er is geen casus gevonden; gegevens worden alleen binnen een casus gedeeld.",      \
    "No case was found; data is shared only within a case.")                                        \
  X(kR09CaseClosed, "De casus is gesloten.", "The case is closed.")                                 \
  X(kR09CaseDeclined, "De gemeente heeft het onderzoek afgewezen; de casus is niet open.",          \
    "The municipality declined to investigate; the case is not open.")                              \
  X(kR09NoSubject, "Het verzoek noemt geen betrokkene.", "The request names no subject.")           \
  X(kR09SubjectNotOnePerson,                                                                        \
    "De betrokkene is niet één geldig BSN; verzoeken over meerdere personen of met zoektermen "   \
    "zijn niet toegestaan.",                                                                        \
    "The subject is not one valid BSN; bulk, wildcard or multi-person queries are not allowed.")    \
  X(kR09NotInCase, "De betrokkene is geen cliënt of gezinslid in deze casus.",                      \
    "The subject is not a client or family member in this case.")                                   \
  X(kR09Ok, "Het verzoek betreft één persoon in één open casus.",                                   \
    "The request concerns one person in one open case.")                                            \
  X(kR09CaseOpen, "De casus is open.", "The case is open.")                                         \
  X(kR09Outsider,                                                                                   \
    "Geen open casus gevonden waarin deze partij over deze persoon mag vragen; gegevens worden "    \
    "alleen binnen een casus gedeeld.",                                                             \
    "No open case was found in which this party may ask about this person; data is shared only "    \
    "within a case.")                                                                               \
  /* R10 */                                                                                         \
  X(kR10NotJudged, "Niet beoordeeld: geen casus, bekende aanvrager of toegestaan doel.",            \
    "Not judged: no case, known requester or allowed purpose.")                                     \
  X(kR10Closed, "Na sluiting van de casus is geen verzoek meer toegestaan.",                        \
    "After a case is closed no request is allowed.")                                                \
  X(kR10Declined, "Het verzoek van de professional is afgewezen; er loopt geen onderzoek.",         \
    "The professional request was declined; there is no research.")                                 \
  X(kR10AwaitingDecision,                                                                           \
    "De gemeente heeft nog niet besloten over het verzoek van de professional; er loopt nog "       \
    "geen onderzoek.",                                                                              \
    "The municipality has not yet decided on the professional request; no research is under "       \
    "way.")                                                                                         \
  X(kR10ResearchWrongPhase,                                                                         \
    "Onderzoeksverzoeken zijn alleen toegestaan zolang de casus in de onderzoeksfase is.",          \
    "Research requests are allowed only while the case is in research.")                            \
  X(kR10ResearchNotMunicipality,                                                                    \
    "In de onderzoeksfase vraagt alleen de gemeente van de casus gegevens op; een andere partij "   \
    "alleen als aangewezen coördinator in de coördinatiefase.",                                     \
    "In research only the case's municipality requests data; another party only as the "            \
    "designated coordinator during coordination.")                                                  \
  X(kR10ResearchOk, "De gemeente van de casus vraagt in de onderzoeksfase.",                        \
    "The case's municipality asks during research.")                                                \
  X(kR10CoordinationWrongPhase,                                                                     \
    "Coördinatieverzoeken zijn alleen toegestaan in de coördinatiefase.",                           \
    "Coordination requests are allowed only while the case is in coordination.")                    \
  X(kR10NotCoordinator,                                                                             \
    "Alleen de aangewezen coördinator (partij en professional) vraagt gegevens op voor "           \
    "coördinatie.",                                                                                 \
    "Only the designated coordinator (party and professional) requests data for coordination.")     \
  X(kR10CoordinatorOk, "De aangewezen coördinator vraagt in de coördinatiefase.",                   \
    "The designated coordinator asks during coordination.")                                         \
  X(kR10ShareNotMunicipality, "Alleen de gemeente van de casus deelt gegevens.",                    \
    "Only the case's municipality shares data.")                                                    \
  X(kR10ShareOk, "De gemeente van de casus deelt in de fase die bij het doel past.",                \
    "The case's municipality shares in the phase that matches the purpose.")                        \
  X(kR10StartNotResearch, "Coördinatie start alleen vanuit de onderzoeksfase.",                     \
    "Coordination starts only from the research phase.")                                            \
  X(kR10StartNotMunicipality, "Alleen de gemeente van de casus start de coördinatie.",              \
    "Only the case's municipality starts coordination.")                                            \
  X(kR10StartOk, "De gemeente van de casus start de coördinatie na het onderzoek.",                 \
    "The case's municipality starts coordination after research.")                                  \
  X(kR10Outsider,                                                                                   \
    "Verzoeken binnen een casus komen alleen van de gemeente van de casus (onderzoek) of van de "   \
    "aangewezen coördinator (coördinatie); deze partij mag in deze casus niets vragen, of de "    \
    "casus bestaat niet.",                                                                          \
    "Requests in a case come only from the case's municipality (research) or its designated "       \
    "coordinator (coordination); this party may not ask in this case, or there is no such case.")   \
  /* R11 */                                                                                         \
  X(kR11NotJudged, "Niet beoordeeld: de betrokkene staat niet in de casus; zie R09.",               \
    "Not judged: the subject is not in the case; see R09.")                                         \
  X(kR11Primary, "De betrokkene is de cliënt om wie de casus draait, geen gezinslid.",              \
    "The subject is the client the case is about, not a family member.")                            \
  X(kR11Agreed, "Het gezinslid heeft ingestemd met betrokkenheid en is cliënt van de casus.",       \
    "The family member agreed to be involved and is a client of the case.")                         \
  X(kR11NotAgreed,                                                                                  \
    "Het gezinslid heeft niet ingestemd met betrokkenheid; over hem of haar mogen geen "            \
    "gegevens worden opgevraagd.",                                                                  \
    "The family member has not agreed to be involved; no data about them may be requested.")        \
  X(kR11NotClient,                                                                                  \
    "De betrokkene is geen cliënt van de casus; voeg het gezinslid eerst toe, met zijn of haar "   \
    "instemming.",                                                                                  \
    "The subject is not a client of the case; add the family member, with their agreement, "        \
    "first.")                                                                                       \
  X(kR11Client, "De betrokkene is cliënt van de casus.", "The subject is a client of the case.")    \
  /* R12 */                                                                                         \
  X(kR12NotCoordination,                                                                            \
    "Geen coördinatie; de plicht of bevoegdheid tot coördinatie speelt niet.",                      \
    "Not coordination; the duty or power to coordinate does not apply.")                            \
  X(kR12Duty, "Twee of meer wetten in het sociaal domein: coördinatie is verplicht.",               \
    "Two or more social-domain laws: coordination is a duty.")                                      \
  X(kR12Power,                                                                                      \
    "Eén wet in het sociaal domein en een of meer aanpalende domeinen: coördinatie is "           \
    "toegestaan.",                                                                                  \
    "One social-domain law and one or more adjacent domains: coordination is allowed.")             \
  X(kR12WamsDoesNotApply,                                                                           \
    "Geen twee sociaal-domeinwetten en geen aanpalend domein naast één wet: de Wams is niet van " \
    "toepassing op coördinatie.",                                                                   \
    "Neither two social-domain laws nor one law plus an adjacent domain: the Wams does not "        \
    "apply to coordination.")                                                                       \
  /* R13 */                                                                                         \
  X(kR13NotCoordination, "Geen coördinatie; niet van toepassing.",                                  \
    "Not coordination; does not apply.")                                                            \
  X(kR13Designated, "Er is een coördinator aangewezen.", "A coordinator is designated.")            \
  X(kR13Self,                                                                                       \
    "De cliënt, een mantelzorger of een vertegenwoordiger coördineert zelf; er gaan geen "        \
    "coördinatieverzoeken via de broker.",                                                          \
    "The client, a carer or a representative coordinates; no coordination requests pass the "       \
    "broker.")                                                                                      \
  X(kR13None, "Er is geen coördinator aangewezen.", "No coordinator is designated.")                \
  X(kR13SelfChosen,                                                                                 \
    "Zelfcoördinatie vastgelegd; daarna gaan geen coördinatieverzoeken via de broker.",             \
    "Self-coordination recorded; from then on no coordination requests pass the broker.")           \
  X(kR13CoordinatorNotInvolved,                                                                     \
    "De coördinator moet werken bij de gemeente of bij een partij die bij de casus betrokken is.",  \
    "The coordinator must work for the municipality or for a party involved in the case.")          \
  X(kR13CoordinatorIncomplete,                                                                      \
    "De aangewezen coördinator mist de partij (OIN) of de professional.",                           \
    "The designated coordinator lacks a party (OIN) or a professional id.")                         \
  /* R16 */                                                                                         \
  X(kR16Obligations,                                                                                \
    "De partij verstrekt, tenzij zwaarwegende redenen zich verzetten (met redenen); zij mag "       \
    "nadere voorwaarden stellen.",                                                                  \
    "The party provides unless weighty reasons oppose it (stated); it may attach further "          \
    "conditions.")                                                                                  \
  X(kProviderRulesShare, "Delen door de gemeente: de regels voor verstrekkers gelden niet.",        \
    "A share by the municipality: the rules for providers do not apply.")                           \
  X(kObConditions,                                                                                  \
    "U mag nadere voorwaarden aan de verstrekking verbinden; die reizen mee met de gegevens.",      \
    "You may attach further conditions; they travel with the data.")                                \
  X(kObWeightyReasons,                                                                              \
    "U mag (deels) weigeren als zwaarwegende redenen zich verzetten; vermeld die redenen.",         \
    "You may refuse (in part) if weighty reasons oppose providing; state those reasons.")           \
  X(kR16NotGranted, "Het verzoek was niet toegestaan; een antwoord wordt niet doorgegeven.",        \
    "The request was not granted; no answer is delivered.")                                         \
  X(kR16StatusMissing,                                                                              \
    "Het antwoord vermeldt niet of is verstrekt, deels verstrekt of geweigerd.",                    \
    "The answer does not say whether it provided, partly provided or refused.")                     \
  X(kR16RefusalNoReasons, "Een weigering moet de zwaarwegende redenen vermelden.",                  \
    "A refusal must state the weighty reasons.")                                                    \
  X(kR16RefusalWithData, "Een weigering mag geen gegevens bevatten.",                               \
    "A refusal must not contain data.")                                                             \
  X(kR16PartialNoWithheld, "Een gedeeltelijk antwoord moet de achtergehouden categorieën noemen.",  \
    "A partial answer must list the withheld categories.")                                          \
  X(kR16PartialNoReasons, "Het achterhouden van categorieën vraagt om zwaarwegende redenen.",       \
    "Withholding categories requires stated weighty reasons.")                                      \
  X(kR16NotRequested, "Het antwoord bevat een categorie die niet is gevraagd",                      \
    "The answer holds a category that was not requested")                                           \
  X(kR16DuplicateData, "Het antwoord bevat een categorie meer dan eens",                            \
    "The answer holds a category more than once")                                                   \
  X(kR16Unaccounted,                                                                                \
    "Elke gevraagde categorie is verstrekt of als achtergehouden genoemd; niet verantwoord",        \
    "Every requested category is provided or listed as withheld; unaccounted")                      \
  X(kR16WithheldNotRequested, "Een achtergehouden categorie was niet gevraagd",                     \
    "A withheld category was not requested")                                                        \
  X(kR16WithheldAndProvided, "Een categorie is zowel verstrekt als achtergehouden",                 \
    "A category is both provided and withheld")                                                     \
  X(kR16WithheldInFullAnswer, "Een volledig antwoord kan geen achtergehouden categorieën noemen.",  \
    "A full answer cannot list withheld categories.")                                               \
  X(kR16Provided, "Alle gevraagde categorieën zijn verstrekt.",                                     \
    "Every requested category was provided.")                                                       \
  X(kR16PartlyProvided,                                                                             \
    "Deels verstrekt; de achtergehouden categorieën en de redenen zijn vermeld.",                   \
    "Partly provided; the withheld categories and the reasons are stated.")                         \
  X(kR16Refused, "Geweigerd met vermelding van zwaarwegende redenen.",                              \
    "Refused with the weighty reasons stated.")                                                     \
  /* R17 */                                                                                         \
  X(kR17NoSecrecy, "Geen gegevens onder medisch beroepsgeheim of SKJ-jeugdhulp gevraagd.",          \
    "No data under medical secrecy or SKJ youth care requested.")                                   \
  X(kR17Consent,                                                                                    \
    "Uitdrukkelijke toestemming van de betrokkene is vastgelegd voor elke categorie onder "         \
    "beroepsgeheim.",                                                                               \
    "Explicit consent of the subject is on record for every category under professional "           \
    "secrecy.")                                                                                     \
  X(kR17GoodCare,                                                                                   \
    "Geen uitdrukkelijke toestemming vastgelegd voor een of meer categorieën onder "               \
    "beroepsgeheim: verstrekken alleen vanuit goed hulpverlenerschap, met dat oordeel vermeld.",    \
    "No explicit consent on record for one or more categories under professional secrecy: "         \
    "provide only on grounds of good care (goed hulpverlenerschap), with that judgement "           \
    "stated.")                                                                                      \
  X(kObGoodCare,                                                                                    \
    "Geen uitdrukkelijke toestemming vastgelegd: verstrek alleen als u dat vanuit goed "            \
    "hulpverlenerschap noodzakelijk vindt, en vermeld dat oordeel.",                                \
    "No explicit consent on record: provide only if you judge it necessary for good care "          \
    "(goed hulpverlenerschap), and state that judgement.")                                          \
  X(kR17NoObligation, "Er was geen oordeel van goed hulpverlenerschap vereist.",                    \
    "No good-care statement was required.")                                                         \
  X(kR17NotProvided, "Geen categorie zonder toestemming verstrekt.",                                \
    "No category without consent was provided.")                                                    \
  X(kR17StatementGiven, "Het oordeel van goed hulpverlenerschap is vermeld.",                       \
    "The good-care statement is given.")                                                            \
  X(kR17StatementMissing,                                                                           \
    "Gegevens onder beroepsgeheim verstrekt zonder toestemming en zonder oordeel van goed "         \
    "hulpverlenerschap.",                                                                           \
    "Data under professional secrecy provided without consent and without a good-care "             \
    "statement.")                                                                                   \
  /* R18 */                                                                                         \
  X(kR18NoPoliceData, "Geen politie- of justitiegegevens gevraagd.",                                \
    "No police or justice data requested.")                                                         \
  X(kR18LegalBasis,                                                                                 \
    "Politie- of justitiegegevens: alleen verstrekken als de Wpg of Wjsg dat toestaat, met "        \
    "vermelding van de grondslag.",                                                                 \
    "Police or justice data: provide only if the Wpg or Wjsg allows it, naming the legal basis.")   \
  X(kR18NoObligation, "Er was geen grondslag in de Wpg of Wjsg vereist.",                           \
    "No Wpg or Wjsg legal basis was required.")                                                     \
  X(kR18NotProvided, "Geen politie- of justitiegegevens verstrekt.",                                \
    "No police or justice data was provided.")                                                      \
  X(kR18BasisGiven, "De grondslag in de Wpg of Wjsg is vermeld.",                                   \
    "The legal basis in the Wpg or Wjsg is stated.")                                                \
  X(kR18BasisMissing,                                                                               \
    "Politie- of justitiegegevens verstrekt zonder grondslag in de Wpg of Wjsg.",                   \
    "Police or justice data provided without a legal basis in the Wpg or Wjsg.")                    \
  /* R19 */                                                                                         \
  X(kR19Forward, "De partij mag het BSN verwerken; het BSN gaat mee als identificerend nummer.",    \
    "The party may process the BSN; the BSN is sent as the identifier.")                            \
  X(kR19ForwardDetailsDropped,                                                                      \
    "De partij mag het BSN verwerken; het BSN gaat mee als identificerend nummer. De "              \
    "meegegeven identificerende gegevens gaan niet mee (dataminimalisatie).",                       \
    "The party may process the BSN; the BSN is sent as the identifier. The identifying details "    \
    "supplied are not sent (data minimisation).")                                                   \
  X(kR19Details,                                                                                    \
    "De partij mag het BSN niet verwerken; het BSN gaat niet mee, de meegegeven identificerende "   \
    "gegevens wel.",                                                                                \
    "The party may not process the BSN; the BSN is withheld and the identifying details supplied "  \
    "are sent instead.")                                                                            \
  X(kR19NoDetails,                                                                                  \
    "De partij mag het BSN niet verwerken en kan de persoon zonder andere gegevens niet vinden; "   \
    "geef haar eigen cliëntnummer, of achternaam, geboortedatum, postcode en huisnummer "          \
    "(subject_details). Ontbreekt",                                                                 \
    "The party may not process the BSN and cannot find the person without other details; give "     \
    "its own client number, or family name, date of birth, postal code and house number "           \
    "(subject_details). Missing")                                                                   \
  X(kR19NoTarget, "Onbekende partij; zie R27.", "Unknown party; see R27.")                          \
  /* R21 */                                                                                         \
  X(kR21NotShare, "Geen deling door de gemeente.", "Not a share by the municipality.")              \
  X(kR21NotMunicipality,                                                                            \
    "Alleen de gemeente van de casus mag gegevens aan een partij verstrekken.",                     \
    "Only the case's municipality may provide data to a party.")                                    \
  X(kR21NotInvolved, "De ontvangende partij is niet betrokken bij de casus.",                       \
    "The recipient is not involved in the case.")                                                   \
  X(kR21Ok, "De gemeente deelt met een betrokken partij, met onderbouwing.",                        \
    "The municipality shares with an involved party, with a justification.")                        \
  /* R22 */                                                                                         \
  X(kR22ResearchOk, "De gemeente van de casus roept bijeen in de onderzoeksfase.",                  \
    "The case's municipality convenes during research.")                                            \
  X(kR22CoordinationOk, "De aangewezen coördinator roept bijeen in de coördinatiefase.",            \
    "The designated coordinator convenes during coordination.")                                     \
  X(kR22ResearchNotMunicipality,                                                                    \
    "In de onderzoeksfase roept alleen de gemeente van de casus een casusoverleg bijeen.",          \
    "During research only the case's municipality convenes a case conference.")                     \
  X(kR22CoordinationNotCoordinator,                                                                 \
    "In de coördinatiefase roept alleen de aangewezen coördinator een casusoverleg bijeen.",        \
    "During coordination only the designated coordinator convenes a case conference.")              \
  X(kR22WrongPhase, "Een casusoverleg kan alleen in de onderzoeks- of coördinatiefase.",            \
    "A case conference is possible only during research or coordination.")                          \
  X(kR22NotConvener, "Alleen wie het casusoverleg bijeenriep, nodigt uit.",                         \
    "Only the convener of the conference invites.")                                                 \
  X(kR22Outsider,                                                                                   \
    "Alleen de gemeente van de casus (onderzoek) of de aangewezen coördinator (coördinatie) "     \
    "roept "                                                                                        \
    "een casusoverleg bijeen; deze partij mag dat in deze casus niet, of de casus bestaat niet.",   \
    "Only the case's municipality (research) or its designated coordinator (coordination) "         \
    "convenes a case conference; this party may not in this case, or there is no such case.")       \
  /* R23 */                                                                                         \
  X(kR23Ok, "De reden waarom deelname noodzakelijk is, is vastgelegd.",                             \
    "The reason why participation is necessary is recorded.")                                       \
  X(kR23NoReason, "Een uitnodiging vraagt de reden waarom deelname noodzakelijk is.",               \
    "An invitation needs the reason why participation is necessary.")                               \
  X(kR23UnknownInvitee, "De uitgenodigde partij is onbekend of past niet bij de uitnodiging.",      \
    "The invited party is unknown or does not match the invitation.")                               \
  X(kR23AuditorInvitee, "Een auditor neemt niet deel aan een casusoverleg.",                        \
    "An auditor does not take part in a case conference.")                                          \
  X(kR23ClientInvited, "De cliënt is uitgenodigd.", "The client is invited.")                       \
  X(kR23ClientNotInvitedWithReason,                                                                 \
    "De cliënt is niet uitgenodigd; de zwaarwegende belangen daartegen zijn vastgelegd.",           \
    "The client is not invited; the weighty interests against it are recorded.")                    \
  X(kR23ClientNotInvitedNoReason,                                                                   \
    "De cliënt wordt uitgenodigd tenzij zwaarwegende belangen zich verzetten; vermeld die "        \
    "belangen.",                                                                                    \
    "The client is invited unless weighty interests oppose it; state those interests.")             \
  /* R24 */                                                                                         \
  X(kR24Applies,                                                                                    \
    "Gegevens van zorg, politie of justitie: R17 en R18 gelden voor wat wordt gedeeld.",            \
    "Care, police or justice data: R17 and R18 apply to what is shared.")                           \
  X(kR24NotApplicable, "Geen gegevens onder beroepsgeheim, Wpg of Wjsg in dit item.",               \
    "No data under professional secrecy, the Wpg or the Wjsg in this item.")                        \
  /* R25 */                                                                                         \
  X(kR25Ok, "Het item is gericht aan genoemde, uitgenodigde deelnemers.",                           \
    "The item is addressed to named, invited participants.")                                        \
  X(kR25NoAudience, "Het item noemt geen ontvangers; een verslag op maat noemt ze.",                \
    "The item names no audience; minutes on measure name their recipients.")                        \
  X(kR25AudienceNotInvited, "Een ontvanger is niet uitgenodigd voor het casusoverleg",              \
    "A recipient is not invited to the conference")                                                 \
  X(kR25SupplierNotParticipant, "De aanbieder neemt niet deel aan het casusoverleg.",               \
    "The supplier does not take part in the conference.")                                           \
  X(kR25NotInAudience, "Het item was niet aan deze partij gericht.",                                \
    "The item was not addressed to this party.")                                                    \
  X(kR25InAudience, "Het item was aan deze partij gericht.",                                        \
    "The item was addressed to this party.")                                                        \
  X(kR25Outsider,                                                                                   \
    "Alleen deelnemers aan het casusoverleg delen daarin; deze partij neemt niet deel, of het "     \
    "overleg bestaat niet.",                                                                        \
    "Only the participants of a case conference share in it; this party does not take part, or "    \
    "there is no such conference.")                                                                 \
  X(kR25Participant, "De partij neemt deel aan het casusoverleg.",                                  \
    "The party takes part in the conference.")                                                      \
  X(kR25PartyInAudience, "De partij stond in het publiek van het item.",                            \
    "The party was in the item's audience.")                                                        \
  X(kR25PartyNotInAudience,                                                                         \
    "De partij stond niet in het publiek van het item; alleen ontvangers kunnen het verder "        \
    "gebruiken.",                                                                                   \
    "The party was not in the item's audience; only recipients can use it further.")                \
  X(kR25NotJudged, "Niet beoordeeld: alleen de aanbieder van het item kan instemmen.",              \
    "Not judged: only the item's supplier can assent.")                                             \
  /* R26 */                                                                                         \
  X(kR26Assent, "De aanbieder heeft ingestemd met gebruik voor de eigen taak van deze partij.",     \
    "The supplier assented to use in this party's own task.")                                       \
  X(kR26NoAssent,                                                                                   \
    "De aanbieder heeft niet ingestemd met gebruik voor de eigen taak van deze partij.",            \
    "The supplier has not assented to use in this party's own task.")                               \
  X(kR26Supplier, "De partij heeft het item aangeboden en kan instemmen met verder gebruik.",       \
    "The party supplied the item and can assent to its onward use.")                                \
  X(kR26NotSupplier, "Alleen de aanbieder van het item kan instemmen met verder gebruik.",          \
    "Only the item's supplier can assent to its onward use.")                                       \
  X(kR26AssentsInAudience,                                                                          \
    "De aanbieder stemt in met verder gebruik door ontvangers van het item.",                       \
    "The supplier assents to onward use by recipients of the item.")                                \
  X(kR26AssentOutsideAudience,                                                                      \
    "De aanbieder kan alleen instemmen met verder gebruik door ontvangers van het item.",           \
    "The supplier can assent to onward use only by recipients of the item.")                        \
  X(kR26NoAssentsGiven, "De aanbieder stemt bij het delen met geen verder gebruik in.",             \
    "The supplier assents to no onward use when sharing.")                                          \
  /* R27 */                                                                                         \
  X(kR27Ok,                                                                                         \
    "Aanvrager en ontvanger zijn bekende partijen met een passende rol; de professional is "        \
    "geïdentificeerd.",                                                                             \
    "Requester and target are known parties in a fitting role; the professional is "                \
    "identified.")                                                                                  \
  X(kR27RequesterOk,                                                                                \
    "De partij is bekend, heeft een passende rol en de professional is "                            \
    "geïdentificeerd.",                                                                             \
    "The party is known, has a fitting role and the professional is identified.")                   \
  X(kR27RoleOk, "De partij is bekend en heeft de rol die deze handeling vraagt.",                   \
    "The party is known and has the role this call needs.")                                         \
  X(kR27WrongRole, "De partij heeft niet de rol die deze handeling vraagt.",                        \
    "The party does not have the role this call needs.")                                            \
  X(kR27UnknownRequester, "De aanvrager is geen bekende partij met een rol.",                       \
    "The requester is not a known party with a role.")                                              \
  X(kR27AuditorRequester,                                                                           \
    "Een auditor leest alleen het logboek van ontvangstbewijzen en vraagt of deelt geen "           \
    "gegevens.",                                                                                    \
    "An auditor only reads the receipt log and never requests or shares data.")                     \
  X(kR27NoProfessional, "De handelende professional is niet geïdentificeerd.",                      \
    "The acting professional is not identified.")                                                   \
  X(kR27UnknownTarget, "De ontvangende partij is onbekend of heeft geen rol.",                      \
    "The target party is unknown or has no role.")                                                  \
  X(kR27AuditorTarget, "Een auditor ontvangt nooit een verzoek of gegevens.",                       \
    "An auditor never receives a request or data.")

#define WAMS_POLICY_MESSAGE_ENUM_(name, nl, en) name,
enum class Msg : int { WAMS_POLICY_MESSAGES(WAMS_POLICY_MESSAGE_ENUM_) kCount };
#undef WAMS_POLICY_MESSAGE_ENUM_

// The message in `language` (Dutch unless LANGUAGE_ENGLISH).
absl::string_view Text(Msg msg, broker::v1::Language language);

}  // namespace wams::policy::internal

#endif  // WAMS_POLICY_INTERNAL_MESSAGES_H_
