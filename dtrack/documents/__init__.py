"""Official documents (issue 23): reports and letters in the form of Decree 30/2020/NĐ-CP, as DOCX and PDF.

One source of figures: a `reports.document.Report` (or an urge letter) becomes an `OfficialDocument`
(documents/model.py: texts already worded and formatted), which `docx_writer` and `pdf_writer` lay
out the same way.
"""
