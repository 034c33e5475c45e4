package io.affinity.bench;
