"""Open Badges 3.0 and VC 2.0 constants: context URLs, type names, schema ids. No logic."""

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
OB_CONTEXT_PATTERN = r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$"
DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"

CREDENTIAL_CONTEXTS = [VC_V2_CONTEXT, OB_CONTEXT]

VERIFIABLE_CREDENTIAL = "VerifiableCredential"
OPEN_BADGE_CREDENTIAL = "OpenBadgeCredential"
ACHIEVEMENT_CREDENTIAL = "AchievementCredential"
ENDORSEMENT_CREDENTIAL = "EndorsementCredential"
ENDORSEMENT_SUBJECT = "EndorsementSubject"
ACHIEVEMENT_SUBJECT = "AchievementSubject"
ACHIEVEMENT = "Achievement"
PROFILE = "Profile"
IMAGE = "Image"
CRITERIA = "Criteria"
EVIDENCE = "Evidence"
RESULT = "Result"
ALIGNMENT = "Alignment"
IDENTITY_OBJECT = "IdentityObject"

ACHIEVEMENT_TYPES = (
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree",
    "Award", "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion",
    "Certification", "CommunityService", "Competency", "Course", "CoCurricular", "Degree",
    "Diploma", "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment",
    "JourneymanCertificate", "LearningProgram", "License", "Membership",
    "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate", "MasterDegree",
    "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
)

ALIGNMENT_TARGET_TYPES = (
    "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
    "CFRubricCriterionLevel", "CTDL",
)

ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)

ENDORSEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
# ``endorsementJwt`` is in the OB 3.0 data model and JSON Schemas but not in context 3.0.3
# (1EdTech's validator patched its own copy): a document that carries one adds this local
# context, so the term is defined (and signed) rather than silently dropped.
ENDORSEMENT_JWT_CONTEXT = {
    "endorsementJwt": {
        "@id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementJwt",
        "@container": "@set",
    }
}
