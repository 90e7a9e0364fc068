"""Date-relative campaigns: files that say which flow to start for which patients, when
(offsets from an anchor date, at a local time), how to treat a patient already in a
conversation, when to stop, caps and pilot stages; and the scheduler that runs them."""
