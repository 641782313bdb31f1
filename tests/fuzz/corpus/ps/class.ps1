using namespace System.Collections.Generic
[Flags()] enum Perm { Read = 1; Write = 2 }
class Car : Vehicle, IDisposable {
    [string]$Make
    hidden static [int]$Count = 0
    Car([string]$m) : base() { $this.Make = $m }
    [string] Describe() { return "$($this.Make) x" }
}
$l = [List[string]]::new()
