package io.affinity.cli;
