-- 0020_login_devices (down)
DROP TABLE lock_events;
DROP TABLE device_lockouts;
DROP TABLE server_secrets;
