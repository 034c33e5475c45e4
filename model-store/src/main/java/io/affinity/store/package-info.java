package io.affinity.store;
