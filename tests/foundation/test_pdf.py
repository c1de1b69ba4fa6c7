"""The shared PDF writer handles Latvian text."""

from dati.pdf import PdfReport


def test_pdf_with_latvian_text() -> None:
    report = PdfReport("Pārskats: ģeogrāfija un ūdeņi", subtitle="Valsts zemes dienests")
    report.heading("Ķēdes posmi")
    report.paragraph("Šķūnis, ļaudis, čības, ņieburs.")
    report.key_values([("Puse", "VZD")])
    report.table(["Rādītājs", "Vērtība"], [["ā", 1], ["ž", None]])
    pdf = report.output()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
    assert b"DejaVu" in pdf  # the embedded font that carries the diacritics
