-- Fingerprints written before they were keyed were a plain SHA-256 of the request body, card number
-- and CVV included: guessable by brute force. Keyed ones start with `h1:`. The others are replaced,
-- so a replay of such a key answers 422 (the key was used) and never runs the command twice.
UPDATE `idempotency_keys` SET `request_hash` = 'scrubbed' WHERE `request_hash` NOT LIKE 'h1:%';
