"""Email: daily digests built into a durable outbox and delivered over SMTP (or as .eml files).

- `digest_gathering`: what each person's digest holds (the `Digest`), gathered for a
  batch of recipients at a time (whole provinces, or the overseers); writes nothing.
- `digest_reading`: the set-based reads behind it, scoped to a batch's provinces.
- `digest_items`: a digest's parts, and `Rows`, which gives each task one row.
- `digest_rendering`: a digest as an email (subject, text and HTML parts) from the
  shared Jinja templates.
- `digest_sending`: `build_digests` queues the day's digests in the outbox and consumes
  their reminders, one transaction per batch; `preview` shows one; `daily_run(db, clock, settings)` is the
  scheduler's daily step (build the day's digests, then send what is due).
- `outbox`: the durable queue (claim, send, retry with backoff, recover, fail);
  `enqueue(...)` lets other features (reports) send a message with attachments.
- `mail`: MIME building; `transport`: SMTP or a folder of .eml files;
  `wording`: the emails' words in Vietnamese and English.
"""
