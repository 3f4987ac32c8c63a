"""One module per diagnostic: decide whether the code certainly fails at run time, and report it with its error code and a fix hint."""
