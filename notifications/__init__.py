"""Email: daily digests built into a durable outbox and delivered over SMTP (or as .eml files).

- `digests`: what each person must act on; `daily_run(db, clock, settings)` is the
  scheduler's daily step (build the day's digests, then send what is due).
- `outbox`: the durable queue (claim, send, retry with backoff, recover, fail);
  `enqueue(...)` lets other features (reports) send a message with attachments.
- `mail`: MIME building; `transport`: SMTP or a folder of .eml files;
  `wording`: the emails' words in Vietnamese and English.
"""
