-- 0019_seed_categories (down): removes the seeded categories (scripts in them
-- keep a NULL category, the spec's cascade) and rewinds the id sequence.
DELETE FROM categories WHERE id BETWEEN 1 AND 10;
SELECT setval(pg_get_serial_sequence('categories', 'id'),
	      coalesce((SELECT max(id) FROM categories), 1),
	      (SELECT max(id) FROM categories) IS NOT NULL);
