-- 0019_seed_categories: the ten default categories of API.md, ids 1 to 10.
-- No default user and no password is seeded anywhere.
INSERT INTO categories (id, name, description) VALUES
	(1, 'System Administration', 'Managing Windows and Linux systems: services, processes, updates, configuration.'),
	(2, 'Security & Compliance', 'Hardening, auditing, permissions, certificates and compliance checks.'),
	(3, 'Automation & DevOps', 'Build, deployment, CI/CD and task automation.'),
	(4, 'Cloud Management', 'Azure, AWS, Microsoft 365 and other cloud resources.'),
	(5, 'Network Management', 'Network configuration, DNS, DHCP, firewalls and connectivity tests.'),
	(6, 'Data Management', 'Files, databases, CSV, JSON and XML processing and reporting.'),
	(7, 'Active Directory', 'Users, groups, computers and group policy in Active Directory.'),
	(8, 'Monitoring & Diagnostics', 'Health checks, event logs, performance counters and troubleshooting.'),
	(9, 'Backup & Recovery', 'Backups, restores, snapshots and disaster recovery.'),
	(10, 'Utilities & Helpers', 'General-purpose functions and small tools.')
ON CONFLICT DO NOTHING;

-- The next category created by the API gets an id after the seeded ones.
SELECT setval(pg_get_serial_sequence('categories', 'id'),
	      greatest((SELECT max(id) FROM categories), 10));
