-- The stop list (src/text/data/stop_words.txt) grew by the words that say how, where and when a
-- complaint asks (麻烦, 派人, 看看, 我家, 门口, 晚上, 坏了 …), not what it is about. The stored
-- cases' repeat signatures and word counts were made with the old list: they are dropped here,
-- and the migration's step (repeats::record_all_cases, then signals::count_all_words) makes them
-- again from every stored case, so that old and new cases compare and count alike.
DELETE FROM case_band;
DELETE FROM case_signature;
DELETE FROM signal_word;
