# Inventory with wmic on old hosts.
wmic os get Caption,Version /format:list
wmic process where "name='notepad.exe'" get ProcessId
wmic logicaldisk get DeviceID,FreeSpace
