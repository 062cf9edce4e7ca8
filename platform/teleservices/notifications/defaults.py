"""The default letter texts (staff guide §2.8.1) and the data-protection mention.

The header (the sender block, top left) is the same for every kind; each kind has its own body,
from the subject line to the signature. New-account letters give the activation steps of the first
connection (ACC-4) and the 3-month deadline (ACC-5); continuity letters remind the identifier and
never give a password. ``DATA_PROTECTION`` is printed at the foot of every page and cannot be
edited. Texts are HTML that the letter sanitiser accepts as it is.
"""

from __future__ import annotations

from teleservices.notifications.kinds import LetterKind

DATA_PROTECTION = (
    "Protection des données : les services en ligne font l'objet d'un traitement de données "
    "à caractère personnel conforme au règlement général sur la protection des données (RGPD) "
    "et à la loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux "
    "libertés. Vous pouvez exercer vos droits d'accès, de rectification et d'opposition auprès "
    "du chef d'établissement et, si vous l'estimez nécessaire, adresser une réclamation à la "
    "Commission nationale de l'informatique et des libertés (CNIL)."
)

HEADER = (
    "<p><strong>[Académie]</strong></p>\n"
    "<p><strong>[Établissement]</strong><br>[Adresse de l'établissement]</p>\n"
    "<p>Tél. : [Téléphone de l'établissement]<br>Courriel : [Courriel de l'établissement]</p>"
)

SUBJECT = "<p><strong>Objet : accès aux services en ligne de l'établissement</strong></p>\n"
ADDRESS = (
    "<p>Pour y accéder, rendez-vous à l'adresse internet suivante :<br>"
    "<strong>[Adresse internet]</strong></p>\n"
    "<p>[Mention ENT]</p>\n"
)
NEW_ACCOUNT = (
    "<p>Identifiez-vous avec le compte « Éducation nationale » qui vous a été attribué :<br>"
    "Identifiant : <strong>[Identifiant]</strong><br>"
    "Mot de passe provisoire : <strong>[Mot de passe]</strong></p>\n"
)
CONTINUITY = (
    "<p>Vous disposez déjà d'un compte « Éducation nationale » activé : vous le conservez et "
    "pouvez l'utiliser dès maintenant.</p>\n"
    "<p>Rappel de votre identifiant : <strong>[Identifiant]</strong><br>"
    "Votre mot de passe est celui que vous avez choisi lors de votre première connexion ; "
    "il n'est pas rappelé dans ce courrier.</p>\n"
    "<p>En cas d'oubli, utilisez les liens « Identifiant oublié » ou « Mot de passe oublié » de "
    "la page de connexion : la réponse est envoyée à l'adresse de messagerie confirmée de votre "
    "compte. Un compte qui n'est pas utilisé pendant un an est supprimé.</p>\n"
)
DEADLINE = (
    "<p><strong>Vous disposez d'un délai de 3 mois pour activer votre compte.</strong> "
    "Au-delà, il sera supprimé et vous pourrez effectuer une nouvelle demande auprès de "
    "l'établissement.</p>\n"
)
REPRESENTATIVE_OPENING = (
    "<p>[Civilité],</p>\n"
    "<p>L'établissement [Établissement] met à votre disposition un ensemble de services en ligne pour vous "
    "permettre de vous informer, de suivre la scolarité de [Élève], en classe de [Division], "
    "et d'effectuer certaines démarches.</p>\n"
)
REPRESENTATIVE_CLOSING = (
    "<p>En cas de problème, contactez l'établissement.</p>\n"
    "<p>Veuillez agréer, [Civilité], l'expression de mes salutations distinguées.</p>\n"
    "<p>[Signature]</p>"
)
STUDENT_OPENING = (
    "<p>Bonjour [Prénom],</p>\n"
    "<p>L'établissement [Établissement] met à la disposition des élèves un ensemble de services en ligne.</p>\n"
)
STUDENT_CLOSING = (
    "<p>Les règles de bon usage de ces services sont précisées dans la charte en vigueur dans "
    "l'établissement.</p>\n"
    "<p>Avec mes encouragements.</p>\n"
    "<p>[Signature]</p>"
)

BODIES = {
    LetterKind.REPRESENTATIVE_NEW: (
        SUBJECT
        + REPRESENTATIVE_OPENING
        + ADDRESS
        + NEW_ACCOUNT
        + "<p>Lors de votre première connexion, vous devrez :</p>\n"
        "<ol><li>créer un nouveau mot de passe de 8 à 14 caractères, avec des lettres et des "
        "chiffres (à conserver pour les prochaines connexions) ;</li>"
        "<li>renseigner une adresse de messagerie électronique et la date de naissance de "
        "votre enfant ;</li>"
        "<li>activer votre compte à partir du courriel envoyé dans votre messagerie.</li></ol>\n"
        + DEADLINE
        + "<p>Pour information, les élèves ont également un compte personnel pour accéder aux "
        "services qui leur sont réservés.</p>\n" + REPRESENTATIVE_CLOSING
    ),
    LetterKind.REPRESENTATIVE_CONTINUITY: (
        SUBJECT + REPRESENTATIVE_OPENING + ADDRESS + CONTINUITY + REPRESENTATIVE_CLOSING
    ),
    LetterKind.STUDENT_NEW: (
        SUBJECT
        + STUDENT_OPENING
        + ADDRESS
        + NEW_ACCOUNT
        + "<p>Lors de votre première connexion, vous devrez :</p>\n"
        "<ol><li>créer un nouveau mot de passe de 8 à 14 caractères, avec des lettres et des "
        "chiffres (à conserver pour les prochaines connexions) ;</li>"
        "<li>indiquer votre date de naissance ;</li>"
        "<li>si vous le souhaitez, renseigner une adresse de messagerie électronique : elle vous "
        "permettra de retrouver seul votre identifiant ou votre mot de passe en cas d'oubli.</li>"
        "</ol>\n" + DEADLINE + STUDENT_CLOSING
    ),
    LetterKind.STUDENT_CONTINUITY: (
        SUBJECT + STUDENT_OPENING + ADDRESS + CONTINUITY + STUDENT_CLOSING
    ),
}


def default_header(kind: LetterKind) -> str:
    """The default sender block (the same for every kind)."""
    return HEADER


def default_body(kind: LetterKind) -> str:
    """The default body of a letter kind."""
    return BODIES[kind]
