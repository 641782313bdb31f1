-- 0003_categories (down)
DROP TABLE categories;
