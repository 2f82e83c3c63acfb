"""The achievement form lists OB 3.0 achievement types by readable names, keeping the stored
vocabulary terms as the option values."""

from __future__ import annotations

from issuer.openbadges.vocab import ACHIEVEMENT_TYPES
from issuer.web.admin.forms import achievement_type_label


def test_readable_names():
    assert achievement_type_label("Badge") == "Badge"
    assert achievement_type_label("CertificateOfCompletion") == "Certificate of completion"
    assert achievement_type_label("MicroCredential") == "Micro credential"
    assert achievement_type_label("CoCurricular") == "Co-curricular"
    labels = [achievement_type_label(value) for value in ACHIEVEMENT_TYPES]
    assert len(set(labels)) == len(labels) and all(labels)


def test_the_form_shows_labels_and_keeps_values(app, admin_client):
    page = admin_client.get("/admin/achievements/new").get_data(as_text=True)
    assert '<option value="CertificateOfCompletion">Certificate of completion</option>' in page
    assert '<option value="Badge">Badge</option>' in page
