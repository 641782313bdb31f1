# pssa: PSAvoidAssignmentToAutomaticVariable=1
function foo { $Error = "x"; $Error }
