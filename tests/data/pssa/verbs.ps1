# pssa: PSUseApprovedVerbs=1
function Change-Item { }
