package io.affinity.api;
